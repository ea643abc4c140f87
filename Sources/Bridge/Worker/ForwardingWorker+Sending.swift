import Ring

extension ForwardingWorker {
    /// One frame out of `egress` through its transmitter (into the TX ring, or one `send()`),
    /// retrying up to `retries` times when there is no room, and counted in the port counters.
    /// True when it was taken for sending.
    @inline(__always) @discardableResult
    func send(_ bytes: UnsafeRawBufferPointer, egress: UInt8, retries: UInt8) -> Bool {
        guard linkUp[Int(egress)], let socket = ports.sockets[Int(egress)] else {
            counters.add(.linkDownDrops, port: egress)
            return false
        }
        let retriesBefore = transmitters[Int(egress)].tally.retries
        let result = transmitters[Int(egress)].send(bytes, on: socket, retries: Int(retries))
        let retried = transmitters[Int(egress)].tally.retries &- retriesBefore
        if retried > 0 { counters.add(.retries, port: egress, retried) }
        switch result {
        case .sent:
            counters.add(.txFrames, port: egress)
            counters.add(.txBytes, port: egress, UInt64(bytes.count))
            return true
        case .linkDown:
            counters.add(.linkDownDrops, port: egress)
        case .noRoom:
            counters.add(.txRingFull, port: egress)
        case .tooBig, .failed:
            counters.add(.sendErrors, port: egress)
        }
        return false
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
        switch transmitters[Int(egress)].flush(socket) {
        case .sent, .noRoom: break
        case .linkDown: counters.add(.linkDownDrops, port: egress)
        case .tooBig, .failed: counters.add(.sendErrors, port: egress)
        }
    }
}
