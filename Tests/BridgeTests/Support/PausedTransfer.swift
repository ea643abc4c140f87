import Foundation
import Glibc
import TestSupport

/// A TCP transfer of pseudo-random bytes from one host to another that stops halfway, with the
/// connection open, until the test lets it go on: the moment to read the flow table or reload
/// the policy in the middle of a transfer. Both ends hash what they sent and received.
final class PausedTransfer: @unchecked Sendable {
    private let client: Process
    private let clientInput: Pipe
    private let clientOutput: Pipe
    private let server: HostServer

    private init(client: Process, input: Pipe, output: Pipe, server: HostServer) {
        self.client = client
        self.clientInput = input
        self.clientOutput = output
        self.server = server
    }

    /// Starts a server in `receiver` on `address:port` and a client in `sender` that connects,
    /// sends half of `megabytes` MiB, and waits; runs `body`, then stops both however it ends.
    static func with<T>(
        from sender: TestNamespace, to receiver: TestNamespace, address: String, port: Int = 5001, megabytes: Int,
        _ body: (PausedTransfer) throws -> T
    ) throws -> T {
        try HostServer.with(in: receiver, script: serverScript(address: address, port: port)) { server in
            let client = Process()
            client.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            client.arguments = [
                "ip", "netns", "exec", sender.name, "python3", "-u", "-c",
                HostScript.prologue(40) + clientScript(address: address, port: port, chunks: megabytes * 16),
            ]
            let input = Pipe()
            let output = Pipe()
            client.standardInput = input
            client.standardOutput = output
            try client.run()
            let transfer = PausedTransfer(client: client, input: input, output: output, server: server)
            defer { transfer.stopClient() }
            return try body(transfer)
        }
    }

    /// Blocks until the client has handed the first half to its socket and paused.
    func waitUntilHalfway() throws {
        var buffer = Data()
        while !String(decoding: buffer, as: UTF8.self).contains("half\n") {
            let chunk = clientOutput.fileHandleForReading.availableData
            if chunk.isEmpty { throw TestFailure("the client ended before sending half the data") }
            buffer += chunk
        }
    }

    /// Lets the client send the second half, waits for both ends, and returns each one's SHA-256
    /// (empty for an end that did not finish).
    func finish() -> (sent: String, received: String) {
        if client.isRunning { clientInput.fileHandleForWriting.write(Data("go\n".utf8)) }
        let sent = String(decoding: clientOutput.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        client.waitUntilExit()
        let hash = sent.trimmingCharacters(in: .whitespacesAndNewlines)
        // The server ends by itself once the client has closed (a signal could cut it off between
        // closing and printing its hash); a client that failed leaves it waiting, so stop it.
        let received = hash.isEmpty ? server.stop() : server.waitForEnd()
        return (hash, received)
    }

    private func stopClient() {
        guard client.isRunning else { return }
        client.terminate()
        let stopped = waitUntil(timeout: 3) { !client.isRunning }
        if !stopped { kill(client.processIdentifier, SIGKILL) }
        client.waitUntilExit()
    }

    private static func serverScript(address: String, port: Int) -> String {
        """
        import hashlib, socket
        s = socket.socket(\(HostScript.family(address)), socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("\(address)", \(port))); s.listen(1)
        print("ready")
        c, _ = s.accept(); c.settimeout(30); h = hashlib.sha256()
        while True:
            d = c.recv(65536)
            if not d: break
            h.update(d)
        c.close()
        print(h.hexdigest())
        os._exit(0)
        """
    }

    private static func clientScript(address: String, port: Int, chunks: Int) -> String {
        """
        import hashlib, random, socket
        r = random.Random(7); h = hashlib.sha256()
        c = socket.create_connection(("\(address)", \(port)), timeout=10)
        def send(n):
            for i in range(n):
                d = r.randbytes(65536); h.update(d); c.sendall(d)
        send(\(chunks / 2))
        print("half")
        sys.stdin.readline()
        send(\(chunks - chunks / 2))
        c.shutdown(socket.SHUT_WR); c.recv(1); c.close()
        print(h.hexdigest())
        """
    }
}
