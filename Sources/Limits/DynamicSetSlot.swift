import Synchronization

/// One slot of a ``DynamicSetTable``: four atomic words (state, key high, key low, expiry) that
/// the table's threads share.
///
/// The state word is a sequence lock: 0 for a slot never used; otherwise a version (bits 2 and
/// up, bumped by every claim and free) with bit 0 set while a writer fills the slot and bit 1
/// set once its element was freed (a freed slot does not end a probe, and can be taken again).
/// A reader reads the state, the words, then the state again, and keeps what it read only if
/// the state did not change.
struct DynamicSetSlot {
    static let words = 4
    private static let writing: UInt64 = 1
    private static let freed: UInt64 = 2
    /// How long an insert waits for another thread to finish writing a slot before passing it.
    private static let settleSpins = 64

    let base: UnsafeMutablePointer<Atomic<UInt64>>

    init(_ base: UnsafeMutablePointer<Atomic<UInt64>>) { self.base = base }

    @inline(__always)
    static func holdsElement(_ state: UInt64) -> Bool { state != 0 && state & 3 == 0 }
    @inline(__always)
    static func isBeingWritten(_ state: UInt64) -> Bool { state & writing != 0 }
    @inline(__always)
    static func isFreed(_ state: UInt64) -> Bool { state & 3 == freed }

    @inline(__always)
    func loadState() -> UInt64 { base.pointee.load(ordering: .acquiring) }

    /// The element, read consistently while the state stays `expectedState` (nil if it did not).
    @inline(__always)
    func read(expectedState: UInt64) -> (key: UInt128, expiry: UInt64)? {
        let high = (base + 1).pointee.load(ordering: .relaxed)
        let low = (base + 2).pointee.load(ordering: .relaxed)
        let expiry = (base + 3).pointee.load(ordering: .relaxed)
        atomicMemoryFence(ordering: .acquiring)
        guard base.pointee.load(ordering: .relaxed) == expectedState else { return nil }
        return (UInt128(high) << 64 | UInt128(low), expiry)
    }

    /// The element, if the slot holds one now.
    func read() -> (key: UInt128, expiry: UInt64)? {
        let state = loadState()
        guard DynamicSetSlot.holdsElement(state) else { return nil }
        return read(expectedState: state)
    }

    /// Moves the expiry from `expected` to `desired`; false if another thread changed it first.
    @inline(__always)
    func exchangeExpiry(expected: UInt64, desired: UInt64) -> Bool {
        (base + 3).pointee.compareExchange(expected: expected, desired: desired, ordering: .relaxed).exchanged
    }

    /// The state once a writer that is filling the slot is done (or, after a short wait, still
    /// being written: then the slot is passed).
    func settle() -> UInt64 {
        var state = loadState()
        var spins = 0
        while DynamicSetSlot.isBeingWritten(state) && spins < DynamicSetSlot.settleSpins {
            spins += 1
            state = loadState()
        }
        return state
    }

    /// Takes the slot (empty, freed, or holding an expired element) for writing, if its state is
    /// still `state`.
    @inline(__always)
    func claim(from state: UInt64) -> Bool {
        let claimed = (state & ~3) &+ 4 | DynamicSetSlot.writing
        let exchanged = base.pointee.compareExchange(
            expected: state, desired: claimed, ordering: .acquiringAndReleasing
        ).exchanged
        // The claim is seen before the new words by a reader that sees any of them.
        if exchanged { atomicMemoryFence(ordering: .releasing) }
        return exchanged
    }

    /// Fills a slot claimed from `state` and makes the element visible.
    @inline(__always)
    func publish(key: UInt128, expiry: UInt64, claimed state: UInt64) {
        (base + 1).pointee.store(UInt64(truncatingIfNeeded: key >> 64), ordering: .relaxed)
        (base + 2).pointee.store(UInt64(truncatingIfNeeded: key), ordering: .relaxed)
        (base + 3).pointee.store(expiry, ordering: .relaxed)
        base.pointee.store((state & ~3) &+ 4, ordering: .releasing)
    }

    /// Frees the element, if the state is still `state`.
    func free(from state: UInt64) -> Bool {
        base.pointee.compareExchange(
            expected: state, desired: (state & ~3) &+ 4 | DynamicSetSlot.freed, ordering: .acquiringAndReleasing
        ).exchanged
    }
}
