import Pipeline
import Platform

extension ForwardingWorker {
    /// Holds a frame for its rule's delay (and jitter); a full queue drops and counts it.
    func hold(_ bytes: UnsafeRawBufferPointer, egress: UInt8, decision: Decision) {
        let due = MonotonicClock.now() &+ decision.holdNanoseconds(randomBits: random.next())
        if delay.hold(bytes, due: due, egress: egress, retries: decision.retries, rule: decision.rule) {
            counters.add(.delayed, port: egress)
            shared.held.store(delay.count, ordering: .relaxed)
        } else {
            counters.add(.delayOverflow, port: egress)
        }
    }

    /// Sends every held frame that is due.
    func sendDueFrames(now: UInt64) {
        while let entry = delay.peekDue(now: now) {
            send(delay.bytes(of: entry), egress: entry.egress, retries: entry.retries)
            delay.removeFirst()
        }
        if configuration.transmitRing { flushTransmitRings() }
        shared.held.store(delay.count, ordering: .relaxed)
    }

    /// At exit, held frames leave at once rather than being lost.
    func flushHeldFrames() {
        if delay.count > 0 {
            logger.info("sending frames held for delay before exit", metadata: ["frames": "\(delay.count)"])
        }
        while let entry = delay.peek() {
            send(delay.bytes(of: entry), egress: entry.egress, retries: entry.retries)
            delay.removeFirst()
        }
        drainTransmitRings()
        shared.held.store(0, ordering: .relaxed)
    }

    /// At exit: kicks the TX rings until the kernel has taken every queued frame (or 100 ms
    /// pass), so no frame already forwarded is left behind in a ring.
    func drainTransmitRings() {
        let deadline = MonotonicClock.now() &+ 100_000_000
        repeat {
            flushTransmitRings()
            guard transmitBacklog else { return }
            MonotonicClock.sleep(until: MonotonicClock.now() &+ 200_000)
        } while MonotonicClock.now() < deadline
    }
}
