/// Immutable elements in memory allocated once, read through a raw pointer.
///
/// The compiled program keeps its tables in `FlatArray`s so the hot path reads them without
/// array bounds checks, uniqueness checks or reference counting. Indices into them are produced
/// by the compiler, which is what makes the unchecked reads safe; debug builds still check.
/// The owner (a ``CompiledPolicy``) frees them with ``deallocate()``.
public struct FlatArray<Element>: @unchecked Sendable {
    public let base: UnsafeMutablePointer<Element>
    public let count: Int

    /// Copies `elements` into fresh memory.
    public init(_ elements: [Element]) {
        count = elements.count
        base = UnsafeMutablePointer<Element>.allocate(capacity: max(1, elements.count))
        _ = UnsafeMutableBufferPointer(start: base, count: elements.count).initialize(from: elements)
    }

    @inlinable
    public subscript(index: Int) -> Element {
        @inline(__always) get {
            assert(index >= 0 && index < count, "FlatArray index out of range")
            return base[index]
        }
    }

    /// The elements as a buffer.
    @inlinable
    public var buffer: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: base, count: count) }

    /// Frees the memory; the array must not be read afterwards.
    public func deallocate() {
        base.deinitialize(count: count)
        base.deallocate()
    }
}

/// A run of entries in a shared pool: `pool[start ..< start + count]`.
public struct PoolSlice: Sendable, Hashable {
    public var start: Int32
    public var count: Int32
    @inlinable public init(start: Int32, count: Int32) {
        self.start = start
        self.count = count
    }
    public static let empty = PoolSlice(start: 0, count: 0)
}
