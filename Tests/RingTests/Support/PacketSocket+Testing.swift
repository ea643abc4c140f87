import Glibc
import Ring
import TestSupport

/// A received frame copied out of the ring.
struct CopiedFrame: Sendable {
    let bytes: [UInt8]
    let wireLength: Int
    let flags: ReceivedFrame.Flags
    let headroom: Int
}

extension PacketSocket {
    /// Polls and drains the ring for up to `timeout` seconds, releasing every frame, and returns
    /// copies of those `matching` accepts, stopping once `count` have arrived.
    func collect(count: Int, timeout: Double = 2, matching: ([UInt8]) -> Bool) -> [CopiedFrame] {
        var frames: [CopiedFrame] = []
        let deadline = monotonicSeconds() + timeout
        while frames.count < count {
            while let frame = receive() {
                let bytes = Array(frame.buffer.readOnlyBytes)
                if matching(bytes) {
                    frames.append(
                        CopiedFrame(
                            bytes: bytes, wireLength: frame.wireLength, flags: frame.flags,
                            headroom: frame.buffer.headroom))
                }
                release()
            }
            let remaining = deadline - monotonicSeconds()
            guard frames.count < count, remaining > 0 else { break }
            var descriptor = pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0)
            _ = poll(&descriptor, 1, Int32(remaining * 1000) + 1)
        }
        return frames
    }
}

extension PacketSocketConfiguration {
    /// The defaults with `change` applied.
    static func with(_ change: (inout PacketSocketConfiguration) -> Void) -> PacketSocketConfiguration {
        var configuration = PacketSocketConfiguration()
        change(&configuration)
        return configuration
    }
}
