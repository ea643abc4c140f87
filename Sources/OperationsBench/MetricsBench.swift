import Bridge
import Foundation
import Glibc
import Operations
import Synchronization

/// The measurements; see main.swift.
enum MetricsBench {
    static let frames = 50_000_000
    static let rounds = 5

    static func run() -> Int32 {
        let counters = PortCounterBlock()
        let rules = (0..<1000).map {
            MetricsSnapshot.Rule(name: "rule-\($0)", packets: UInt64($0), bytes: UInt64($0) * 64)
        }
        let server: MetricsServer
        do {
            server = try MetricsServer(listen: "127.0.0.1:0") { snapshot(of: counters, rules: rules) }
        } catch {
            print("OperationsBench: \(error)")
            return 1
        }
        server.start()
        defer { server.stop() }
        print("per-frame counter work: 4 adds to a PortCounterBlock, \(frames) frames, best of \(rounds)")
        let alone = best { forward(counters) }
        print(String(format: "  no scraper:               %.2f ns/frame", alone))
        for (label, pause) in [("a scrape every 100 ms:", 100_000 as UInt32), ("scrapes back to back:  ", 0)] {
            let stop = Atomic(false)
            let scrapes = Atomic(0)
            let scraper = Thread {
                while !stop.load(ordering: .relaxed) {
                    if scrape(port: server.port) > 0 { scrapes.add(1, ordering: .relaxed) }
                    if pause > 0 { usleep(pause) }
                }
            }
            scraper.start()
            let started = Date()
            let busy = best { forward(counters) }
            stop.store(true, ordering: .relaxed)
            let seconds = Date().timeIntervalSince(started)
            print(
                String(
                    format: "  %@ %.2f ns/frame (%+.1f%%), %.0f scrapes/s", label, busy, (busy / alone - 1) * 100,
                    Double(scrapes.load(ordering: .relaxed)) / seconds))
            usleep(200_000)
        }
        let again = best { forward(counters) }
        print(String(format: "  no scraper, again:        %.2f ns/frame (the noise of this machine)", again))
        var sizes = 0
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for _ in 0..<200 { sizes = scrape(port: server.port) }
        }
        let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1e3
        print(
            String(
                format: "one scrape (2 ports, 1000 rules, %d bytes over loopback HTTP): %.2f ms", sizes,
                milliseconds / 200))
        return 0
    }

    /// The forwarding thread's share: four counter adds per frame.
    @inline(never)
    static func forward(_ counters: PortCounterBlock) {
        for frame in 0..<frames {
            let port = UInt8(frame & 1)
            counters.add(.rxFrames, port: port)
            counters.add(.rxBytes, port: port, 64)
            counters.add(.txFrames, port: port ^ 1)
            counters.add(.txBytes, port: port ^ 1, 64)
        }
    }

    /// The best ns/frame of `rounds` runs of `body`.
    static func best(_ body: () -> Void) -> Double {
        var best = Double.infinity
        let clock = ContinuousClock()
        for _ in 0..<rounds {
            let elapsed = clock.measure(body)
            let nanoseconds =
                Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
            best = min(best, nanoseconds / Double(frames))
        }
        return best
    }

    /// What the bridge's snapshot closure does: read every counter of the block, as it is now.
    static func snapshot(of counters: PortCounterBlock, rules: [MetricsSnapshot.Rule]) -> MetricsSnapshot {
        let ports = (0..<2).map { port in
            MetricsSnapshot.Port(
                name: port == 0 ? "a" : "b", interface: port == 0 ? "eth1" : "eth2", up: true,
                counters: PortCounter.allCases.map { ($0.name, counters.read($0, port: UInt8(port))) })
        }
        return MetricsSnapshot(ports: ports, rules: rules, generation: 1, version: BridgekeeperVersion.text)
    }

    /// One `GET /metrics` over loopback; returns the bytes received (0 on failure).
    static func scrape(port: UInt16) -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return 0 }
        let request = Array("GET /metrics HTTP/1.1\r\nHost: bench\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var total = 0
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            total += count
        }
        return total
    }
}
