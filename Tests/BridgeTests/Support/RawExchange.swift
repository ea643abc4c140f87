import Dispatch
import TestSupport

/// Sends raw frames into one host's interface and captures what arrives at another's, with
/// the capture socket open before the first frame leaves. Everything runs on plain threads,
/// blocking only on them, never on Swift's cooperative pool.
enum RawExchange {
    static func send(
        _ frames: [[UInt8]], from sender: TestNamespace, interface: String, to receiver: TestNamespace,
        capture receiverInterface: String, expecting count: Int, timeout: Double = 3,
        matching: @escaping @Sendable ([UInt8]) -> Bool
    ) throws -> [[UInt8]] {
        let capture = startCapture(
            in: receiver, interface: receiverInterface, count: count, timeout: timeout, matching: matching)
        try sender.start {
            let socket = try PlainPacketSocket(interface: interface)
            for frame in frames { try socket.send(frame) }
        }.wait()
        return try capture.wait()
    }

    /// Opens a capture socket on `interface` and returns once it is open; the capture runs until
    /// `count` frames matched or `timeout` seconds passed.
    static func startCapture(
        in namespace: TestNamespace, interface: String, count: Int, timeout: Double,
        matching: @escaping @Sendable ([UInt8]) -> Bool
    ) -> NamespaceThread<[[UInt8]]> {
        let ready = DispatchSemaphore(value: 0)
        let capture = namespace.start {
            let socket: PlainPacketSocket
            do {
                socket = try PlainPacketSocket(interface: interface)
            } catch {
                ready.signal()
                throw error
            }
            ready.signal()
            return socket.receive(count: count, timeout: timeout, matching: matching)
        }
        ready.wait()
        return capture
    }
}
