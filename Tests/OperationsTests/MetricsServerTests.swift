import Foundation
import Glibc
import Synchronization
import TestSupport
import Testing

@testable import Operations

@Suite("Metrics server")
struct MetricsServerTests {
    /// A server on 127.0.0.1 at a port the kernel picks, counting how often it was scraped.
    final class Scrapes: Sendable {
        let count = Atomic(0)
        var value: Int { count.load(ordering: .relaxed) }
    }

    static func server(host: String = "127.0.0.1") throws -> (MetricsServer, Scrapes) {
        let scrapes = Scrapes()
        let server = try MetricsServer(listen: "\(host):0") {
            let count = scrapes.count.add(1, ordering: .relaxed).newValue
            var snapshot = PrometheusTextTests.snapshot
            snapshot.reloads = UInt64(count)
            return snapshot
        }
        server.start()
        return (server, scrapes)
    }

    static func curl(_ arguments: String...) throws -> CommandResult {
        Shell.result(["curl", "--silent", "--show-error", "--max-time", "5"] + arguments)
    }

    @Test("curl scrapes /metrics: 200, the Prometheus content type, text that parses, fresh values")
    func scrapesWithCurl() throws {
        let (server, scrapes) = try Self.server()
        defer { server.stop() }
        #expect(server.port != 0)
        let first = try Self.curl("--include", "http://127.0.0.1:\(server.port)/metrics")
        #expect(first.status == 0, "\(first.errors)")
        let parts = first.output.components(separatedBy: "\r\n\r\n")
        #expect(parts.count == 2)
        let head = parts[0].lowercased()
        #expect(head.hasPrefix("http/1.1 200 ok"))
        #expect(head.contains("content-type: text/plain; version=0.0.4"))
        #expect(head.contains("connection: close"))
        let exposition = try Exposition(parsing: parts[1])
        #expect(exposition.value("bridgekeeper_rule_packets_total", ["rule": "drop-blocklist"]) == 42)
        #expect(exposition.value("bridgekeeper_reloads_total") == 1)
        let second = try Self.curl("http://127.0.0.1:\(server.port)/metrics?name[]=x")
        #expect(try Exposition(parsing: second.output).value("bridgekeeper_reloads_total") == 2)
        #expect(scrapes.value == 2)
    }

    @Test("other paths get 404, other methods 405 with Allow, HEAD gets headers only")
    func answersOtherRequests() throws {
        let (server, scrapes) = try Self.server()
        defer { server.stop() }
        let base = "http://127.0.0.1:\(server.port)"
        let missing = try Self.curl("--output", "/dev/null", "--write-out", "%{http_code}", base + "/")
        #expect(missing.output == "404")
        let other = try Self.curl("--output", "/dev/null", "--write-out", "%{http_code}", base + "/metricsx")
        #expect(other.output == "404")
        let post = try Self.curl("--include", "--data", "x=1", base + "/metrics")
        #expect(post.output.hasPrefix("HTTP/1.1 405"))
        #expect(post.output.contains("Allow: GET, HEAD"))
        let head = try Self.curl("--head", base + "/metrics")
        #expect(head.status == 0, "\(head.errors)")
        #expect(head.output.hasPrefix("HTTP/1.1 200"))
        #expect(!head.output.contains("bridgekeeper_"))
        #expect(scrapes.value == 1)
    }

    @Test("garbage, a silent client and an oversized head do not stop it serving")
    func survivesBadClients() throws {
        let (server, _) = try Self.server()
        defer { server.stop() }
        let garbage = try Self.raw(port: server.port, send: Array("NONSENSE\r\n\r\n".utf8))
        #expect(garbage.hasPrefix("HTTP/1.1 400"))
        let huge = try Self.raw(
            port: server.port,
            send: Array(("GET /metrics HTTP/1.1\r\nX: " + String(repeating: "a", count: 20_000)).utf8))
        #expect(huge.hasPrefix("HTTP/1.1 400"))
        // A client that connects and says nothing is given up after the read timeout.
        let silent = try Self.connect(port: server.port)
        defer { close(silent) }
        let after = try Self.curl("--max-time", "8", "http://127.0.0.1:\(server.port)/metrics")
        #expect(after.status == 0, "\(after.errors)")
        #expect(try Exposition(parsing: after.output).value("bridgekeeper_policy_generation") == 3)
    }

    @Test("IPv6 loopback works when the host has IPv6")
    func servesIPv6() throws {
        let probe = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        guard probe >= 0 else {
            // No IPv6 in this kernel: binding [::1] must then fail with a clear message instead.
            #expect(throws: MetricsError.self) { try MetricsServer(listen: "[::1]:0") { MetricsSnapshot() } }
            return
        }
        close(probe)
        let (server, _) = try Self.server(host: "[::1]")
        defer { server.stop() }
        let result = try Self.curl("http://[::1]:\(server.port)/metrics")
        #expect(result.status == 0, "\(result.errors)")
        #expect(try Exposition(parsing: result.output).value("bridgekeeper_held_frames") == 2)
    }

    @Test("a port in use, an address the host lacks and a bad address are one-line errors")
    func reportsListenErrors() throws {
        let (server, _) = try Self.server()
        defer { server.stop() }
        #expect(throws: MetricsError.portInUse("127.0.0.1:\(server.port)")) {
            try MetricsServer(listen: "127.0.0.1:\(server.port)") { MetricsSnapshot() }
        }
        #expect(throws: MetricsError.addressUnavailable("198.18.255.254:9101")) {
            try MetricsServer(listen: "198.18.255.254:9101") { MetricsSnapshot() }
        }
        #expect {
            try MetricsServer(listen: "localhost") { MetricsSnapshot() }
        } throws: { error in
            (error as? MetricsError)?.description.contains("write ADDR:PORT") == true
        }
        let busy = MetricsError.portInUse("127.0.0.1:9101").description
        #expect(busy == "--metrics 127.0.0.1:9101: the port is already in use; pick another port")
    }

    @Test("stop ends the thread and connections are refused afterwards")
    func stops() throws {
        let (server, _) = try Self.server()
        let port = server.port
        server.stop()
        server.stop()
        let result = try Self.curl("--max-time", "2", "http://127.0.0.1:\(port)/metrics")
        #expect(result.status == 7, "curl: \(result.errors)")  // 7: could not connect
    }

    // MARK: Raw sockets

    static func connect(port: UInt16) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard status == 0 else { throw TestFailure("connect: \(String(cString: strerror(errno)))") }
        return fd
    }

    /// Sends `bytes`, then reads the whole answer.
    static func raw(port: UInt16, send bytes: [UInt8]) throws -> String {
        let fd = try connect(port: port)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var answer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &chunk, chunk.count, 0)
            guard count > 0 else { break }
            answer.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: answer, as: UTF8.self)
    }
}
