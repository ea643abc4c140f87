import CLinuxShim
import Glibc

/// What became of one frame handed to the kernel for sending.
///
/// Every case is a value the forwarding loop can count; none of them is thrown.
public enum SendResult: Sendable, Equatable {
    /// The kernel took the frame.
    case sent
    /// The device or socket queue is full (EAGAIN, ENOBUFS): retry later or drop and count.
    case noRoom
    /// The interface is down or gone (ENETDOWN, ENXIO, ENODEV): stop sending until it returns.
    case linkDown
    /// The frame is longer than the interface's MTU allows (EMSGSIZE).
    case tooBig
    /// Any other failure, with its errno.
    case failed(errno: Int32)

    /// Classifies a failed call's errno.
    @inlinable
    public init(errno code: Int32) {
        switch code {
        case EAGAIN, EWOULDBLOCK, ENOBUFS, EINTR:
            self = .noRoom
        case ENETDOWN, ENXIO, ENODEV:
            self = .linkDown
        case EMSGSIZE:
            self = .tooBig
        default:
            self = .failed(errno: code)
        }
    }
}

/// What became of a frame offered to the TX ring with ``PacketSocket/enqueue(_:)``.
public enum EnqueueResult: Sendable, Equatable {
    /// Copied into the ring; it leaves with the next ``PacketSocket/flush()``.
    case queued
    /// No free slot (the kernel has not finished sending earlier frames): flush, retry or drop.
    case full
    /// Longer than a TX slot (the ring was sized for the interface's MTU).
    case tooBig
    /// Shorter than an Ethernet header.
    case tooShort
    /// The socket was opened without a TX ring (``PacketSocketConfiguration/transmitFrameCount`` 0)
    /// or is closed.
    case noTransmitRing
}
