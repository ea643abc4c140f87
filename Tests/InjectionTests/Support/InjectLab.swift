import Capture
import Foundation
import Glibc
import Injection
import Synchronization
import TestSupport

/// One namespace with a veth pair: the real `bridgekeeper` sends on ``sendPort`` and a plain
/// packet socket captures what arrives on ``capturePort``. Removed however the test ends.
final class InjectLab: Sendable {
    let namespace: TestNamespace
    let folder: String
    static let sendPort = "inj0"
    static let capturePort = "cap0"

    private init(namespace: TestNamespace, folder: String) {
        self.namespace = namespace
        self.folder = folder
    }

    /// Builds the lab (both veth ends up, MTU `mtu` when given), runs `body`, removes it all.
    static func with<T>(mtu: Int? = nil, _ body: (InjectLab) async throws -> T) async throws -> T {
        try await TestNamespace.with { namespace in
            try namespace.addVethPair(sendPort, capturePort, mtu: mtu)
            let folder = try makeFolder()
            defer { _ = try? Shell.run("rm", "-rf", folder) }
            return try await body(InjectLab(namespace: namespace, folder: folder))
        }
    }

    private static func makeFolder() throws -> String {
        var template = Array("/tmp/bkinject-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw TestFailure("mkdtemp failed")
        }
        return String(cString: made)
    }

    /// Writes `frames` to a pcap in the lab's folder, frame i stamped `timestamps[i]` (ns) or
    /// 1 ms after the one before.
    func writeCapture(_ frames: [[UInt8]], name: String = "in.pcap", timestamps: [UInt64]? = nil) throws -> String {
        let path = folder + "/" + name
        let writer = try PcapWriter(path: path)
        let base: UInt64 = 1_700_000_000_000_000_000
        for (index, frame) in frames.enumerated() {
            let stamp = base + (timestamps?[index] ?? UInt64(index) * 1_000_000)
            frame.withUnsafeBytes { writer.write($0, timestampNanoseconds: stamp) }
        }
        writer.flush()
        return path
    }

    /// The MAC address of `interface` in the lab, as text.
    func mac(of interface: String) throws -> String {
        try namespace.exec("cat", "/sys/class/net/\(interface)/address").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// What one run of the binary printed and what arrived at the capture port meanwhile.
    struct Exchange {
        var status: Int32
        var output: String
        var errors: String
        var frames: [[UInt8]]
        /// Seconds on this test's own monotonic clock from just before the binary started to just
        /// after it exited: an interval that contains the whole run.
        var wallSeconds: Double

        /// The `--json` summary on standard output.
        var summary: TransmitSummary {
            get throws { try JSONDecoder().decode(TransmitSummary.self, from: Data(output.utf8)) }
        }

        /// Standard error's lines.
        var errorLines: [Substring] { errors.split(separator: "\n") }
    }

    /// Runs `bridgekeeper ARGUMENTS` in the namespace while capturing the frames that satisfy
    /// `matching` on the capture port; after the binary exits, the capture drains until the port
    /// has been quiet for 300 ms. `interruptAfter` sends SIGINT after that many seconds.
    func exchange(
        _ arguments: [String], interruptAfter: Double? = nil, matching: @escaping @Sendable ([UInt8]) -> Bool
    ) throws -> Exchange {
        let stop = StopSignal()
        let capture = startCapture(stop: stop, matching: matching)
        let result: (Int32, String, String)
        let started = monotonicSeconds()
        do {
            result = try run(arguments, interruptAfter: interruptAfter)
        } catch {
            stop.set()
            _ = try? capture.wait()
            throw error
        }
        let wallSeconds = monotonicSeconds() - started
        stop.set()
        return Exchange(
            status: result.0, output: result.1, errors: result.2, frames: try capture.wait(), wallSeconds: wallSeconds)
    }

    /// Runs `bridgekeeper ARGUMENTS` in the namespace; returns its status, stdout and stderr.
    func run(_ arguments: [String], interruptAfter: Double? = nil) throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ip", "netns", "exec", namespace.name, try Self.binary] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        if let interruptAfter {
            // The signal's timing is the input under test, not a wait for a condition.
            usleep(UInt32(interruptAfter * 1_000_000))
            process.interrupt()
        }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (
            process.terminationStatus, String(decoding: outputData, as: UTF8.self),
            String(decoding: errorData, as: UTF8.self)
        )
    }

    /// Opens the capture socket (with a receive buffer large enough for a whole test's frames)
    /// and returns once it is open.
    private func startCapture(stop: StopSignal, matching: @escaping @Sendable ([UInt8]) -> Bool)
        -> NamespaceThread<[[UInt8]]>
    {
        let ready = DispatchSemaphore(value: 0)
        let capture = namespace.start { () -> [[UInt8]] in
            let socket: PlainPacketSocket
            do {
                socket = try PlainPacketSocket(interface: Self.capturePort)
            } catch {
                ready.signal()
                throw error
            }
            var bytes: Int32 = 128 << 20
            setsockopt(socket.fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, socklen_t(MemoryLayout<Int32>.size))
            ready.signal()
            var frames: [[UInt8]] = []
            while true {
                let got = socket.receive(count: 1, timeout: 0.3, matching: matching)
                if got.isEmpty && stop.isSet { break }
                frames += got
            }
            return frames
        }
        ready.wait()
        return capture
    }

    /// The `bridgekeeper` binary built next to the tests.
    static var binary: String {
        get throws { try BridgekeeperBinary.path }
    }
}

/// Set once by the test to end a capture.
final class StopSignal: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}
