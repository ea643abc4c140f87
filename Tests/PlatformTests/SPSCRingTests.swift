import Platform
import Testing

@Suite("SPSC ring")
struct SPSCRingTests {
    @Test("values come out in the order they went in, and a full ring drops and counts")
    func orderAndDrops() {
        let ring = SPSCRing<UInt64>(capacity: 3)
        #expect(ring.push(10))
        #expect(ring.push(11))
        #expect(ring.push(12))
        #expect(!ring.push(13))
        #expect(ring.dropped == 1)
        #expect(ring.count == 3)
        #expect(ring.pop() == 10)
        #expect(ring.push(14))
        var taken: [UInt64] = []
        while let value = ring.pop() { taken.append(value) }
        #expect(taken == [11, 12, 14])
        #expect(ring.pop() == nil)
        #expect(ring.dropped == 1)
    }

    @Test("a reserved slot's index is where the committed value is read back")
    func reserveAndCommit() throws {
        let ring = SPSCRing<Int32>(capacity: 2)
        var storage = [Int32](repeating: 0, count: 2)
        for value: Int32 in [7, 8] {
            let slot = try #require(ring.reserve())
            storage[slot] = value * 100
            ring.commit(value)
        }
        #expect(ring.reserve() == nil)
        #expect(ring.dropped == 1)
        let first = try #require(ring.first())
        #expect(first.element == 7 && storage[first.slot] == 700)
        ring.removeFirst()
        let second = try #require(ring.first())
        #expect(second.element == 8 && storage[second.slot] == 800)
    }

    @Test("one producer thread and one consumer thread: every value arrives once, in order, or is counted")
    func acrossThreads() throws {
        let ring = SPSCRing<UInt64>(capacity: 64)
        let total: UInt64 = 200_000
        let producer = try PlatformThread.start(name: "spsc-producer") {
            for value in 1...total { ring.push(value) }
        }
        var received: UInt64 = 0
        var last: UInt64 = 0
        var ordered = true
        while true {
            if let value = ring.pop() {
                ordered = ordered && value > last
                last = value
                received += 1
            } else if last == total || received + ring.dropped == total {
                if ring.count == 0 { break }
            }
        }
        producer.join()
        #expect(ordered)
        #expect(received + ring.dropped == total)
    }
}
