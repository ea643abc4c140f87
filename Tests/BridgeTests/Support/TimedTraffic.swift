import Dispatch
import Glibc
import TestSupport

/// Raw frames sent and captured with the time of each, on `CLOCK_MONOTONIC`: the clock the
/// bridge stamps its frames with, the same in every namespace. A test that counts what a rate
/// limit let through bounds the bridge's view of the interval by these readings instead of
/// assuming how long anything takes.
enum TimedTraffic {
    /// A frame and when the capture received it (after the bridge had decided it).
    struct Arrival: Sendable {
        var time: Double
        var frame: [UInt8]
    }

    /// When the first frame was handed to the kernel and when the last one was.
    struct Sending: Sendable {
        var first: Double
        var last: Double
    }

    /// Sends `frames` out of `interface` in `namespace`, sleeping `gapMicroseconds` after each
    /// (0: back to back, with a short pause every 64 frames so no queue on the way overflows).
    /// With `spin` the gap is waited out on the clock instead: as short as asked on a loaded
    /// machine, where a sleep of 50 µs can take milliseconds.
    static func send(
        _ frames: [[UInt8]], from namespace: TestNamespace, interface: String, gapMicroseconds: UInt32,
        spin: Bool = false
    ) throws -> Sending {
        try namespace.start {
            let socket = try PlainPacketSocket(interface: interface)
            var first = 0.0
            for (index, frame) in frames.enumerated() {
                if index == 0 { first = monotonicSeconds() }
                try socket.send(frame)
                if spin && gapMicroseconds > 0 {
                    let until = monotonicSeconds() + Double(gapMicroseconds) / 1e6
                    while monotonicSeconds() < until {}
                } else if gapMicroseconds > 0 {
                    usleep(gapMicroseconds)
                } else if index % 64 == 63 {
                    usleep(1000)
                }
            }
            return Sending(first: first, last: monotonicSeconds())
        }.wait()
    }

    /// Sends `frames` out of `interface` in `namespace`, `gapMicroseconds` apart, and returns
    /// the time read just before each was handed to the kernel (so a frame's arrival minus its
    /// send time is never shorter than the time it really spent on the way).
    static func sendEach(
        _ frames: [[UInt8]], from namespace: TestNamespace, interface: String, gapMicroseconds: UInt32
    ) throws -> [Double] {
        try namespace.start {
            let socket = try PlainPacketSocket(interface: interface)
            var times: [Double] = []
            for frame in frames {
                times.append(monotonicSeconds())
                try socket.send(frame)
                usleep(gapMicroseconds)
            }
            return times
        }.wait()
    }

    /// Opens a capture socket on `interface` in `namespace` and returns once it is open; it
    /// records every frame `matching` accepts, with its arrival time, for `duration` seconds, or
    /// until `idle` seconds pass without one after the first.
    static func capture(
        in namespace: TestNamespace, interface: String, duration: Double, idle: Double = .infinity,
        matching: @escaping @Sendable ([UInt8]) -> Bool
    ) -> NamespaceThread<[Arrival]> {
        let ready = DispatchSemaphore(value: 0)
        return namespace.start {
            let socket: PlainPacketSocket
            do {
                socket = try PlainPacketSocket(interface: interface)
            } catch {
                ready.signal()
                throw error
            }
            // Room for a whole test's frames, so a capture thread the scheduler sets aside loses none.
            var bytes: Int32 = 32 << 20
            setsockopt(socket.fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, socklen_t(MemoryLayout<Int32>.size))
            ready.signal()
            var arrivals: [Arrival] = []
            let deadline = monotonicSeconds() + duration
            while true {
                let quietUntil = arrivals.last.map { $0.time + idle } ?? deadline
                let remaining = min(deadline, quietUntil) - monotonicSeconds()
                guard remaining > 0 else { break }
                for frame in socket.receive(count: 1, timeout: remaining, matching: matching) {
                    arrivals.append(Arrival(time: monotonicSeconds(), frame: frame))
                }
            }
            return arrivals
        }.waitingUntilStarted(ready)
    }
}

extension NamespaceThread {
    /// Blocks until `ready` is signalled, then returns the thread.
    fileprivate func waitingUntilStarted(_ ready: DispatchSemaphore) -> NamespaceThread {
        ready.wait()
        return self
    }
}
