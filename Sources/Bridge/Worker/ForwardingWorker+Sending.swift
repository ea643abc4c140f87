import CLinuxShim
import Ring

#if canImport(Glibc)
    import Glibc
#endif

extension ForwardingWorker {
    /// One frame out of `egress`, retrying up to `retries` times when there is no room.
    @inline(__always)
    func send(_ bytes: UnsafeRawBufferPointer, egress: UInt8, retries: UInt8) {
        guard linkUp[Int(egress)], let socket = ports.sockets[Int(egress)] else {
            counters.add(.linkDownDrops, port: egress)
            return
        }
        var attempts: UInt8 = 0
        while true {
            let result: SendResult
            if configuration.transmitRing {
                switch socket.enqueue(bytes) {
                case .queued: result = .sent
                case .full:
                    flushTransmitRing(socket, egress: egress)
                    result = .noRoom
                case .tooBig: result = .tooBig
                case .tooShort, .noTransmitRing: result = .failed(errno: EINVAL)
                }
            } else {
                result = socket.send(bytes)
            }
            switch result {
            case .sent:
                counters.add(.txFrames, port: egress)
                counters.add(.txBytes, port: egress, UInt64(bytes.count))
                shared.forwarded.store(shared.forwarded.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
                return
            case .noRoom where attempts < retries:
                attempts += 1
                counters.add(.retries, port: egress)
                waitForRoom(socket)
            case .linkDown:
                counters.add(.linkDownDrops, port: egress)
                return
            default:
                counters.add(.sendErrors, port: egress)
                return
            }
        }
    }

    /// A short, bounded wait for room to send on `socket`.
    private func waitForRoom(_ socket: PacketSocket) {
        var fd = pollfd(fd: socket.fileDescriptor, events: Int16(POLLOUT), revents: 0)
        var timeout = timespec(tv_sec: 0, tv_nsec: Int(configuration.retryWaitMicroseconds) * 1000)
        _ = cls_ppoll(&fd, 1, &timeout)
    }

    /// A TX ring holds frames not yet handed to the kernel.
    var transmitBacklog: Bool {
        guard configuration.transmitRing else { return false }
        return (ports.sockets[0]?.pendingTransmitCount ?? 0) > 0 || (ports.sockets[1]?.pendingTransmitCount ?? 0) > 0
    }

    /// Kicks every TX ring that holds frames.
    func flushTransmitRings() {
        for port in 0..<2 {
            if let socket = ports.sockets[port], socket.pendingTransmitCount > 0 {
                flushTransmitRing(socket, egress: UInt8(port))
            }
        }
    }

    /// Kicks `socket`'s TX ring once; frames the kernel had no room for stay queued.
    func flushTransmitRing(_ socket: PacketSocket, egress: UInt8) {
        switch socket.flush() {
        case .sent, .noRoom: break
        case .linkDown: counters.add(.linkDownDrops, port: egress)
        default: counters.add(.sendErrors, port: egress)
        }
    }
}
