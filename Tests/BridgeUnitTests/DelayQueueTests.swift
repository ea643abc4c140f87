import Testing

@testable import Bridge

@Suite("Delay queue")
struct DelayQueueTests {
    static func frame(_ marker: UInt8, length: Int = 60) -> [UInt8] { [UInt8](repeating: marker, count: length) }

    /// Takes every frame due at `now`, as the worker does: (marker, egress, retries).
    static func takeDue(_ queue: DelayQueue, now: UInt64) -> [(UInt8, UInt8, UInt8)] {
        var out: [(UInt8, UInt8, UInt8)] = []
        while let entry = queue.peekDue(now: now) {
            out.append((queue.bytes(of: entry)[0], entry.egress, entry.retries))
            queue.removeFirst()
        }
        return out
    }

    @Test func framesLeaveWhenDueWithTheirBytesEgressAndRetries() {
        let queue = DelayQueue(capacity: 8, slotSize: 128)
        queue.prepare(ruleCount: 2)
        #expect(Self.frame(1).withUnsafeBytes { queue.hold($0, due: 300, egress: 1, retries: 2, rule: 0) })
        #expect(Self.frame(2).withUnsafeBytes { queue.hold($0, due: 100, egress: 0, retries: 0, rule: 1) })
        #expect(queue.count == 2)
        #expect(queue.nextDue == 100)
        #expect(Self.takeDue(queue, now: 99).isEmpty)
        let first = Self.takeDue(queue, now: 100)
        #expect(first.map(\.0) == [2] && first.map(\.1) == [0])
        let second = Self.takeDue(queue, now: 1000)
        #expect(second.map(\.0) == [1] && second.map(\.1) == [1] && second.map(\.2) == [2])
        #expect(queue.count == 0 && queue.nextDue == nil)
    }

    @Test func aRuleKeepsItsOrderEvenWhenJitterWouldSwapIt() {
        let queue = DelayQueue(capacity: 8, slotSize: 128)
        queue.prepare(ruleCount: 1)
        // The second frame of the rule drew a shorter hold: it still leaves after the first.
        _ = Self.frame(1).withUnsafeBytes { queue.hold($0, due: 500, egress: 1, retries: 0, rule: 0) }
        _ = Self.frame(2).withUnsafeBytes { queue.hold($0, due: 200, egress: 1, retries: 0, rule: 0) }
        // Another rule's frame is not held back by it.
        _ = Self.frame(3).withUnsafeBytes { queue.hold($0, due: 300, egress: 1, retries: 0, rule: -1) }
        #expect(Self.takeDue(queue, now: 10_000).map(\.0) == [3, 1, 2])
    }

    @Test func aFullQueueOrAnOversizeFrameIsRefusedAndTheRestIsKept() {
        let queue = DelayQueue(capacity: 2, slotSize: 100)
        queue.prepare(ruleCount: 1)
        #expect(Self.frame(1).withUnsafeBytes { queue.hold($0, due: 1, egress: 1, retries: 0, rule: 0) })
        #expect(!Self.frame(9, length: 101).withUnsafeBytes { queue.hold($0, due: 1, egress: 1, retries: 0, rule: 0) })
        #expect(Self.frame(2).withUnsafeBytes { queue.hold($0, due: 2, egress: 1, retries: 0, rule: 0) })
        #expect(!Self.frame(3).withUnsafeBytes { queue.hold($0, due: 3, egress: 1, retries: 0, rule: 0) })
        #expect(Self.takeDue(queue, now: 10).map(\.0) == [1, 2])
        // Slots come back: the queue takes frames again.
        #expect(Self.frame(4).withUnsafeBytes { queue.hold($0, due: 20, egress: 0, retries: 0, rule: 0) })
        #expect(queue.count == 1)
    }
}
