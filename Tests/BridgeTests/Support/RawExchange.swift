import Dispatch
import TestSupport

/// Sends raw frames into one host's interface and captures what arrives at another's, with
/// the capture socket open before the first frame leaves.
enum RawExchange {
    static func send(
        _ frames: [[UInt8]], from sender: TestNamespace, interface: String, to receiver: TestNamespace,
        capture receiverInterface: String, expecting count: Int, timeout: Double = 3,
        matching: @escaping @Sendable ([UInt8]) -> Bool
    ) async throws -> [[UInt8]] {
        let ready = DispatchSemaphore(value: 0)
        async let captured: [[UInt8]] = receiver.run {
            let socket = try PlainPacketSocket(interface: receiverInterface)
            ready.signal()
            return socket.receive(count: count, timeout: timeout, matching: matching)
        }
        ready.wait()
        try await sender.run {
            let socket = try PlainPacketSocket(interface: interface)
            for frame in frames { try socket.send(frame) }
        }
        return try await captured
    }

    /// Captures on `interface` in `namespace` for `timeout` seconds while `action` runs.
    static func capture(
        in namespace: TestNamespace, interface: String, count: Int, timeout: Double,
        matching: @escaping @Sendable ([UInt8]) -> Bool, while action: () async throws -> Void
    ) async throws -> [[UInt8]] {
        let ready = DispatchSemaphore(value: 0)
        async let captured: [[UInt8]] = namespace.run {
            let socket = try PlainPacketSocket(interface: interface)
            ready.signal()
            return socket.receive(count: count, timeout: timeout, matching: matching)
        }
        ready.wait()
        try await action()
        return try await captured
    }
}
