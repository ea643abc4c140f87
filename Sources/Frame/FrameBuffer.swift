/// A frame's bytes in writable memory with room around them, so rewrites can grow or shrink it.
///
/// The frame occupies `storage[start ..< start + length]` inside `storage[0 ..< capacity]`.
/// `vlan push` moves the frame's start 4 bytes earlier (it needs `headroom >= 4`), `vlan pop`
/// 4 bytes later. The buffer does not own its memory: it is a view into a ring slot or a
/// caller's buffer, valid as long as that memory is.
public struct FrameBuffer {
    /// First usable byte (headroom begins here).
    public let storage: UnsafeMutableRawPointer
    /// Usable bytes from `storage`.
    public let capacity: Int
    /// Offset of the frame's first byte from `storage`.
    public var start: Int
    /// Frame length in bytes.
    public var length: Int

    /// Creates a view; `start + length <= capacity` must hold.
    @inlinable
    public init(storage: UnsafeMutableRawPointer, capacity: Int, start: Int, length: Int) {
        precondition(start >= 0 && length >= 0 && start + length <= capacity)
        self.storage = storage
        self.capacity = capacity
        self.start = start
        self.length = length
    }

    /// The frame's bytes.
    @inlinable
    public var bytes: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: storage + start, count: length)
    }

    /// Read-only view of the frame's bytes.
    @inlinable
    public var readOnlyBytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage + start, count: length)
    }

    /// Free bytes before the frame.
    @inlinable public var headroom: Int { start }
    /// Free bytes after the frame.
    @inlinable public var tailroom: Int { capacity - start - length }
}
