import CLinuxShim
import Platform

#if canImport(Glibc)
    import Glibc
#endif

/// The one transmit path: frames into a packet socket's TX ring (or straight to `send()` on a
/// socket without one), one kick per batch, bounded retries when the kernel has no room, and the
/// ``TransmitTally`` every outcome feeds.
///
/// ```swift
/// var transmitter = Transmitter()
/// for frame in batch { _ = transmitter.send(frame, on: egress, retries: 2) }
/// _ = transmitter.flush(egress)          // one system call for the whole batch
/// ```
///
/// A transmitter holds no socket, so one value can serve a port whose socket is reopened, and
/// one thread keeps one per egress port. Per frame it copies into a ring slot and counts; it
/// makes a system call only to kick a full ring or to wait for room. No allocation, lock,
/// closure or existential.
public struct Transmitter: Sendable {
    /// What this transmitter sent and refused so far.
    public var tally = TransmitTally()
    /// How it waits for room.
    public let wait: TransmitWait

    /// A transmitter that waits as `wait` says.
    public init(wait: TransmitWait = TransmitWait()) {
        self.wait = wait
    }

    /// Offers one frame to `socket`: into its TX ring (leaving with the next ``flush(_:)``), or
    /// with one `send()` on a socket without a ring. When there is no room it kicks the ring,
    /// waits for room (``TransmitWait``) and tries again, up to `retries` times, then gives the
    /// frame up as `.noRoom`. A kick that fails while making room ends the frame with that
    /// failure (`.linkDown`, `.failed`).
    @inlinable
    public mutating func send(_ bytes: UnsafeRawBufferPointer, on socket: PacketSocket, retries: Int) -> SendResult {
        var attempts = 0
        var waitStarted: UInt64 = 0
        while true {
            var result: SendResult
            if socket.hasTransmitRing {
                switch socket.enqueue(bytes) {
                case .queued:
                    result = .sent
                case .full:
                    result = socket.flush()
                    if result == .sent { result = .noRoom }
                case .tooBig:
                    result = .tooBig
                case .tooShort, .noTransmitRing:
                    result = .failed(errno: EINVAL)
                }
            } else {
                result = socket.sendNow(bytes)
            }
            guard result == .noRoom, attempts < retries else {
                count(result, bytes: bytes.count)
                return result
            }
            let now = MonotonicClock.now()
            if attempts == 0 {
                waitStarted = now
            } else if now &- waitStarted >= wait.giveUpNanoseconds {
                count(.noRoom, bytes: bytes.count)
                return .noRoom
            }
            attempts &+= 1
            tally.retries &+= 1
            waitForRoom(socket, round: attempts)
        }
    }

    /// Kicks `socket`'s TX ring: one `send(fd, NULL, 0)` for everything queued since the last
    /// kick, none when nothing is queued (and none on a socket without a ring). `.noRoom` leaves
    /// the frames queued for the next kick; a link-down or other failure is counted once.
    @inlinable
    @discardableResult
    public mutating func flush(_ socket: PacketSocket) -> SendResult {
        let result = socket.flush()
        switch result {
        case .sent, .noRoom: break
        case .linkDown: tally.linkDown &+= 1
        case .tooBig, .failed: tally.sendErrors &+= 1
        }
        return result
    }

    @inlinable @inline(__always)
    mutating func count(_ result: SendResult, bytes: Int) {
        switch result {
        case .sent:
            tally.frames &+= 1
            tally.bytes &+= UInt64(bytes)
        case .noRoom: tally.noRoomDrops &+= 1
        case .linkDown: tally.linkDown &+= 1
        case .tooBig: tally.tooBig &+= 1
        case .failed: tally.sendErrors &+= 1
        }
    }

    /// One bounded wait for room on `socket`: `ppoll` for `POLLOUT` up to
    /// ``TransmitWait/retryNanoseconds``. `POLLOUT` reflects the kernel's own TX cursor, not the
    /// slot this side writes next, so when it comes back at once on a later round the thread
    /// sleeps a twentieth of the wait instead of spinning.
    @usableFromInline
    func waitForRoom(_ socket: PacketSocket, round: Int) {
        var descriptor = pollfd(fd: socket.fileDescriptor, events: Int16(POLLOUT), revents: 0)
        var timeout = MonotonicClock.timeout(nanoseconds: wait.retryNanoseconds)
        if cls_ppoll(&descriptor, 1, &timeout) > 0 && round > 1 {
            MonotonicClock.sleep(until: MonotonicClock.now() &+ wait.retryNanoseconds / 20)
        }
    }
}
