import Ring

extension ForwardingWorker {
    /// Hands a frame to the host's stack through the TAP host port.
    @inline(__always)
    func reflect(_ bytes: UnsafeRawBufferPointer, from port: UInt8) {
        guard let tap = ports.hostPort else {
            counters.add(.dropped, port: port)
            return
        }
        if case .sent = tap.write(bytes) {
            counters.add(.reflected, port: port)
        } else {
            counters.add(.sendErrors, port: port)
        }
    }

    /// Frames the host sent into the TAP go to the segment that holds their destination MAC
    /// (both segments when it is unknown or a group address).
    func forwardFromHost() {
        guard let tap = ports.hostPort else { return }
        for _ in 0..<configuration.batchLimit {
            guard case .frame(let length) = tap.read(into: hostBuffer), length >= 14 else { return }
            let bytes = UnsafeRawBufferPointer(start: hostBuffer.baseAddress, count: length)
            var destination: UInt64 = 0
            for i in 0..<6 { destination = destination << 8 | UInt64(bytes[i]) }
            let ports: [UInt8] = macs?.port(of: destination).map { [$0] } ?? [0, 1]
            for port in ports {
                counters.add(.fromHost, port: port)
                send(bytes, egress: port, retries: 2)
            }
        }
    }
}
