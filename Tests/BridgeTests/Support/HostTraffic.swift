import Foundation
import TestSupport

/// Real traffic between the testbed's hosts, made with the tools a person would use (python3's
/// sockets for TCP and UDP, ping), each in its host's namespace.
enum HostTraffic {
    /// Sends `megabytes` of pseudo-random bytes over TCP from `client` to `server`'s `address`
    /// and returns the SHA-256 each side computed.
    static func tcpTransfer(
        from client: TestNamespace, to server: TestNamespace, address: String, port: Int = 5001, megabytes: Int
    ) throws -> (sent: String, received: String) {
        let serverScript = """
            import hashlib, socket
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("\(address)", \(port))); s.listen(1); s.settimeout(20)
            c, _ = s.accept(); c.settimeout(20); h = hashlib.sha256()
            while True:
                d = c.recv(65536)
                if not d: break
                h.update(d)
            print(h.hexdigest())
            """
        let clientScript = """
            import hashlib, random, socket, time
            r = random.Random(7); h = hashlib.sha256()
            for attempt in range(50):
                try:
                    c = socket.create_connection(("\(address)", \(port)), timeout=5); break
                except OSError:
                    time.sleep(0.1)
            for i in range(\(megabytes * 16)):
                d = r.randbytes(65536); h.update(d); c.sendall(d)
            c.shutdown(socket.SHUT_WR); c.recv(1); c.close()
            print(h.hexdigest())
            """
        let listener = Process()
        listener.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        listener.arguments = ["ip", "netns", "exec", server.name, "python3", "-c", serverScript]
        let output = Pipe()
        listener.standardOutput = output
        try listener.run()
        let sent: String
        do {
            sent = try Shell.run("ip", "netns", "exec", client.name, "python3", "-c", clientScript)
        } catch {
            stop(listener)
            throw error
        }
        let received = output.fileHandleForReading.readDataToEndOfFile()
        listener.waitUntilExit()
        return (
            sent.trimmingCharacters(in: .whitespacesAndNewlines),
            String(decoding: received, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        )
    }

    /// Sends `count` UDP datagrams from `client` to `server`'s `address:port`; returns how many
    /// arrived.
    static func udpDatagrams(
        from client: TestNamespace, to server: TestNamespace, address: String, port: Int = 5002, count: Int
    ) throws -> Int {
        let serverScript = """
            import socket
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("\(address)", \(port))); s.settimeout(2); n = 0
            print("ready", flush=True)
            try:
                while n < \(count):
                    s.recv(2048); n += 1
            except socket.timeout:
                pass
            print(n)
            """
        let clientScript = """
            import socket, time
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            for i in range(\(count)):
                s.sendto(b"bridgekeeper %d" % i, ("\(address)", \(port))); time.sleep(0.001)
            """
        let listener = Process()
        listener.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        listener.arguments = ["ip", "netns", "exec", server.name, "python3", "-u", "-c", serverScript]
        let output = Pipe()
        listener.standardOutput = output
        try listener.run()
        // Wait for "ready" so no datagram is sent before the socket is bound.
        var buffer = Data()
        while !String(decoding: buffer, as: UTF8.self).contains("ready") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            buffer += chunk
        }
        do {
            try Shell.run("ip", "netns", "exec", client.name, "python3", "-c", clientScript)
        } catch {
            stop(listener)
            throw error
        }
        let rest = output.fileHandleForReading.readDataToEndOfFile()
        listener.waitUntilExit()
        let text = String(decoding: buffer + rest, as: UTF8.self)
        // A listener that died is a failure, never "nothing arrived".
        guard listener.terminationStatus == 0, let arrived = text.split(separator: "\n").last.flatMap({ Int($0) })
        else {
            throw TestFailure("the UDP listener in \(server.name) exited \(listener.terminationStatus): \(text)")
        }
        return arrived
    }

    /// Ends a listener whose client failed, so it does not outlive the test.
    private static func stop(_ listener: Process) {
        guard listener.isRunning else { return }
        listener.terminate()
        if !waitUntil(timeout: 2, { !listener.isRunning }) { kill(listener.processIdentifier, SIGKILL) }
        listener.waitUntilExit()
    }

    /// Tries a TCP connection; returns "connected", "refused" or "timeout". Any other failure (no
    /// route, no python) throws: it says nothing about what the bridge let through.
    static func tcpConnect(from client: TestNamespace, to address: String, port: Int, timeout: Double = 2) throws
        -> String
    {
        let script = """
            import socket
            try:
                socket.create_connection(("\(address)", \(port)), timeout=\(timeout)); print("connected")
            except ConnectionRefusedError:
                print("refused")
            except socket.timeout:
                print("timeout")
            """
        return try Shell.run("ip", "netns", "exec", client.name, "python3", "-c", script)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
