import Synchronization

/// A bounded single-producer, single-consumer ring of trivially copyable values, allocated once.
///
/// One thread pushes (a forwarding worker), one other thread takes (the control thread). When the
/// ring is full a push is dropped and counted, never waited for, so the producer's loop never
/// blocks on the consumer. Neither side allocates, locks or makes a system call.
///
/// The producer's index is published with a release store after the slot is written, and read
/// by the consumer with an acquire load before it reads the slot (and the other way round for
/// the consumer's index), so a slot is never read half-written nor overwritten while read.
///
/// Besides whole values (``push(_:)``, ``pop()``), the ring can publish a slot whose companion
/// storage the producer filled first: ``reserve()`` gives the free slot's index (or counts a drop),
/// the producer fills its own storage at that index, and ``commit(_:)`` publishes the value.
/// The consumer reads the oldest with ``first()`` and frees it with ``removeFirst()``.
public final class SPSCRing<Element: BitwiseCopyable>: @unchecked Sendable {
    /// How many values the ring holds at most.
    public let capacity: Int
    @usableFromInline let slots: UnsafeMutablePointer<Element>
    /// The next index the consumer reads (only the consumer stores it).
    @usableFromInline let head = Atomic<Int>(0)
    /// The next index the producer writes (only the producer stores it).
    @usableFromInline let tail = Atomic<Int>(0)
    @usableFromInline let droppedCount = Atomic<UInt64>(0)

    /// An empty ring of `capacity` slots (at least 1).
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
        slots = .allocate(capacity: self.capacity)
    }

    deinit {
        slots.deallocate()
    }

    /// Values dropped because the ring was full (or the producer gave up on a slot).
    public var dropped: UInt64 { droppedCount.load(ordering: .relaxed) }

    /// Values waiting, as the calling side sees them.
    public var count: Int { tail.load(ordering: .acquiring) &- head.load(ordering: .acquiring) }

    // MARK: Producer side

    /// Appends `element`; when the ring is full drops it, counts it, and returns false.
    @inlinable
    @discardableResult
    public func push(_ element: Element) -> Bool {
        guard reserve() != nil else { return false }
        commit(element)
        return true
    }

    /// The slot index the next ``commit(_:)`` publishes, or nil (and one more drop counted) when
    /// the ring is full. Lets the producer fill storage it keeps beside the ring at that index
    /// before the value that describes it is published.
    @inlinable
    public func reserve() -> Int? {
        let next = tail.load(ordering: .relaxed)
        guard next &- head.load(ordering: .acquiring) < capacity else {
            droppedCount.wrappingAdd(1, ordering: .relaxed)
            return nil
        }
        return next % capacity
    }

    /// Publishes `element` in the slot ``reserve()`` returned. Call it only after a successful
    /// ``reserve()``.
    @inlinable
    public func commit(_ element: Element) {
        let next = tail.load(ordering: .relaxed)
        slots[next % capacity] = element
        tail.store(next &+ 1, ordering: .releasing)
    }

    /// Counts one value the producer dropped for its own reasons (nothing to copy, say).
    @inlinable
    public func recordDrop() {
        droppedCount.wrappingAdd(1, ordering: .relaxed)
    }

    // MARK: Consumer side

    /// The oldest value and its slot index, or nil when the ring is empty. It stays in the ring
    /// (and the producer's storage at that index stays valid) until ``removeFirst()``.
    @inlinable
    public func first() -> (element: Element, slot: Int)? {
        let current = head.load(ordering: .relaxed)
        guard current != tail.load(ordering: .acquiring) else { return nil }
        let slot = current % capacity
        return (slots[slot], slot)
    }

    /// Frees the oldest value. Call it only after ``first()`` returned one.
    @inlinable
    public func removeFirst() {
        head.store(head.load(ordering: .relaxed) &+ 1, ordering: .releasing)
    }

    /// Takes the oldest value, or nil when the ring is empty.
    @inlinable
    public func pop() -> Element? {
        guard let (element, _) = first() else { return nil }
        removeFirst()
        return element
    }
}
