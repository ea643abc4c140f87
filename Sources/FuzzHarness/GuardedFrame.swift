import CFuzzShim
import Frame

/// A copy of a frame laid out as the forwarding loop holds one, `headroom` free bytes before it
/// (room for `vlan push`) and none after, with guard bytes on both sides outside the buffer's
/// capacity.
///
/// The guards are filled with a pattern that ``finish()`` checks, so a write outside the buffer is
/// caught in any build. Under AddressSanitizer they are also poisoned, so any read or write of them
/// stops the fuzzer at the access itself.
final class GuardedFrame {
    static let guardSize = 32
    static let fill: UInt8 = 0xa5

    private let memory: UnsafeMutableRawBufferPointer
    /// The frame, as the pipeline and the rewrites see it.
    var buffer: FrameBuffer
    private let originalStorage: UnsafeMutableRawPointer
    private let originalCapacity: Int
    private let originalEnd: Int
    private var poisoned = true

    /// Copies `bytes` into fresh memory with `headroom` bytes before them.
    init(copying bytes: UnsafeRawBufferPointer, headroom: Int) {
        let size = Self.guardSize
        memory = .allocate(byteCount: 2 * size + headroom + bytes.count, alignment: 16)
        memory.initializeMemory(as: UInt8.self, repeating: Self.fill)
        let storage = memory.baseAddress! + size
        if let source = bytes.baseAddress, bytes.count > 0 {
            (storage + headroom).copyMemory(from: source, byteCount: bytes.count)
        }
        buffer = FrameBuffer(storage: storage, capacity: headroom + bytes.count, start: headroom, length: bytes.count)
        originalStorage = storage
        originalCapacity = headroom + bytes.count
        originalEnd = headroom + bytes.count
        bk_fuzz_poison(memory.baseAddress!, size)
        bk_fuzz_poison(storage + originalCapacity, size)
    }

    deinit {
        unpoison()
        memory.deallocate()
    }

    /// The frame's bytes as an array (for comparisons).
    var bytes: [UInt8] { Array(buffer.readOnlyBytes) }

    /// What must hold of the buffer after any rewrite: it still describes the same memory, the
    /// frame lies inside it, and the frame's end has not moved (a push starts it earlier, a pop
    /// later; nothing makes it longer at the end).
    func shapeViolations() -> [HarnessViolation] {
        var log = ViolationLog()
        log.expect(
            buffer.storage == originalStorage && buffer.capacity == originalCapacity, "buffer-shape",
            "storage or capacity changed")
        log.expect(
            buffer.start >= 0 && buffer.length >= 0 && buffer.start + buffer.length == originalEnd, "buffer-shape",
            "frame at \(buffer.start) length \(buffer.length), end must stay \(originalEnd)")
        return log.items
    }

    /// The shape checks, then the guard bytes, which must still hold the fill pattern. Call once,
    /// when done with the frame.
    func finish() -> [HarnessViolation] {
        var log = ViolationLog()
        log.add(shapeViolations(), context: "at the end")
        unpoison()
        let size = Self.guardSize
        let before = UnsafeRawBufferPointer(start: memory.baseAddress!, count: size)
        let after = UnsafeRawBufferPointer(start: memory.baseAddress! + size + originalCapacity, count: size)
        log.expect(before.allSatisfy { $0 == Self.fill }, "guard-bytes", "a byte before the buffer was written")
        log.expect(after.allSatisfy { $0 == Self.fill }, "guard-bytes", "a byte after the buffer was written")
        return log.items
    }

    private func unpoison() {
        guard poisoned else { return }
        poisoned = false
        bk_fuzz_unpoison(memory.baseAddress!, memory.count)
    }
}
