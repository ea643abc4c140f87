import Foundation
import Glibc
import TestSupport

/// A small Python server in one host's namespace for as long as a test needs it: ``with`` starts
/// it, returns once it listens, and stops it however the body ends. The script also ends itself
/// after `lifetime` seconds (SIGALRM), so a server never outlives a test run that was killed.
///
/// A server script sets `result` to a function whose value it prints when stopped (SIGTERM), and
/// prints `ready` once it listens; one that ends by itself prints what it has to say and exits.
final class HostServer: @unchecked Sendable {
    private let process: Process
    private let output: Pipe
    private let errors: Pipe

    private init(process: Process, output: Pipe, errors: Pipe) {
        self.process = process
        self.output = output
        self.errors = errors
    }

    /// Runs `script` in `namespace`, waits for its `ready`, runs `body`, and stops the server.
    static func with<T>(
        in namespace: TestNamespace, script: String, lifetime: Int = 30, _ body: (HostServer) throws -> T
    ) throws -> T {
        let server = try start(in: namespace, script: script, lifetime: lifetime)
        defer { server.kill() }
        return try body(server)
    }

    private static func start(in namespace: TestNamespace, script: String, lifetime: Int) throws -> HostServer {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "ip", "netns", "exec", namespace.name, "python3", "-u", "-c", HostScript.prologue(lifetime) + script,
        ]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let server = HostServer(process: process, output: output, errors: errors)
        var buffer = Data()
        while !String(decoding: buffer, as: UTF8.self).contains("ready\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty {
                server.kill()
                let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                throw TestFailure("server in \(namespace.name) did not start: \(message)")
            }
            buffer += chunk
        }
        return server
    }

    /// Stops the server (SIGTERM: it prints its result) and returns what it printed after `ready`.
    func stop() -> String {
        if process.isRunning { process.terminate() }
        let rest = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: rest, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Waits for a server that ends by itself and returns what it printed after `ready` (its
    /// lifetime bounds the wait).
    func waitForEnd() -> String {
        let rest = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: rest, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Stops the server and reads its result as a number.
    func stopCounting() throws -> Int {
        let text = stop()
        guard let count = Int(text.split(separator: "\n").last ?? "") else {
            throw TestFailure("server printed \(text.debugDescription), not a count")
        }
        return count
    }

    private func kill() {
        guard process.isRunning else { return }
        process.terminate()
        let stopped = waitUntil(timeout: 3) { !process.isRunning }
        if !stopped { Glibc.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

extension HostServer {
    /// A TCP server on `address:port` that answers every connection with the byte `k` and
    /// closes it; its result is how many connections it accepted.
    static func tcpAcceptor(address: String, port: Int) -> String {
        """
        import socket
        accepted = 0
        def result(): return accepted
        s = socket.socket(\(HostScript.family(address)), socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("\(address)", \(port))); s.listen(1024)
        print("ready")
        while True:
            c, _ = s.accept()
            accepted += 1
            try:
                c.sendall(b"k")
            except OSError:
                pass
            c.close()
        """
    }

    /// A UDP socket on `address:port` that counts the datagrams it receives; its result is the
    /// count.
    static func udpCounter(address: String, port: Int) -> String {
        """
        import socket
        received = 0
        def result(): return received
        s = socket.socket(\(HostScript.family(address)), socket.SOCK_DGRAM)
        s.bind(("\(address)", \(port)))
        print("ready")
        while True:
            s.recv(65536)
            received += 1
        """
    }
}

/// One-shot Python scripts in a host's namespace (clients: they run to the end and print their
/// outcome), with the same self-imposed lifetime as ``HostServer``.
enum HostScript {
    /// The lines every script starts with: an alarm that ends it, and SIGTERM printing `result()`.
    /// A child of the test process inherits its thread's signal mask, which blocks nearly
    /// everything, so the script unblocks the two signals first.
    static func prologue(_ lifetime: Int) -> String {
        """
        import os, signal, sys
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGALRM])
        signal.alarm(\(lifetime))
        def result(): return ""
        def _stop(*_):
            sys.stdout.write("%s\\n" % result()); sys.stdout.flush(); os._exit(0)
        signal.signal(signal.SIGTERM, _stop)

        """
    }

    /// `socket.AF_INET6` for an IPv6 address, else `socket.AF_INET`.
    static func family(_ address: String) -> String {
        address.contains(":") ? "socket.AF_INET6" : "socket.AF_INET"
    }

    /// Runs `script` in `namespace` to its end and returns what it printed, trimmed.
    static func run(in namespace: TestNamespace, lifetime: Int = 30, _ script: String) throws -> String {
        try Shell.run("ip", "netns", "exec", namespace.name, "python3", "-c", prologue(lifetime) + script)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
