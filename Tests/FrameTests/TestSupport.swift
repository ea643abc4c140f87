import Frame
import Testing

/// Parses a byte array.
func parse(_ bytes: [UInt8]) -> FrameInfo {
    bytes.withUnsafeBytes { FrameInfo.parse($0) }
}

/// Parses the first `count` bytes of a byte array.
func parse(_ bytes: [UInt8], prefix count: Int) -> FrameInfo {
    bytes.withUnsafeBytes { FrameInfo.parse(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
}

/// The result of applying rewrites to a frame held in a ``FrameBuffer``.
struct Rewritten {
    /// What each `apply` returned, in order.
    var results: [Bool]
    /// The frame's bytes afterwards.
    var bytes: [UInt8]
    /// The `info` the rewrites kept in step.
    var info: FrameInfo
    /// The buffer's headroom afterwards.
    var headroom: Int
}

/// Copies `frame` into a buffer with `headroom` free bytes before it and 16 after, parses it, and
/// applies `rewrites` in order, checking after each that nothing was written outside the frame.
func rewrite(_ frame: [UInt8], _ rewrites: [FieldRewrite], headroom: Int = 8) -> Rewritten {
    withFrameBuffer(frame, headroom: headroom) { buffer, guards in
        var info = FrameInfo.parse(buffer.readOnlyBytes)
        var results: [Bool] = []
        for item in rewrites {
            results.append(buffer.apply(item, info: &info))
            guards.check(buffer, after: item)
        }
        return Rewritten(results: results, bytes: Array(buffer.readOnlyBytes), info: info, headroom: buffer.headroom)
    }
}

/// Watches the bytes around a frame: filled with 0xee, they must stay so.
struct GuardBytes {
    let memory: UnsafeMutableRawBufferPointer
    /// The frame's end never moves: a push starts it earlier, a pop later, both keep the end.
    let frameEnd: Int
    /// The earliest start seen; a push may write from there on.
    var lowestStart: Int

    mutating func check(_ buffer: FrameBuffer, after what: FieldRewrite? = nil) {
        lowestStart = min(lowestStart, buffer.start)
        #expect(buffer.start + buffer.length == frameEnd, "the frame's end moved after \(String(describing: what))")
        #expect(
            memory[0..<lowestStart].allSatisfy { $0 == 0xee }, "wrote before the frame: \(String(describing: what))")
        #expect(memory[frameEnd...].allSatisfy { $0 == 0xee }, "wrote after the frame: \(String(describing: what))")
    }
}

/// Runs `body` on a ``FrameBuffer`` holding a copy of `frame`, with `headroom` bytes before it and
/// 16 after; the memory around the frame is filled with 0xee and checked untouched afterwards.
func withFrameBuffer<Result>(
    _ frame: [UInt8], headroom: Int = 8, _ body: (inout FrameBuffer, inout GuardBytes) -> Result
) -> Result {
    let capacity = headroom + frame.count + 16
    let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 8)
    defer { memory.deallocate() }
    memory.initializeMemory(as: UInt8.self, repeating: 0xee)
    frame.withUnsafeBytes {
        memory.baseAddress!.advanced(by: headroom).copyMemory(from: $0.baseAddress!, byteCount: frame.count)
    }
    var buffer = FrameBuffer(storage: memory.baseAddress!, capacity: capacity, start: headroom, length: frame.count)
    var guards = GuardBytes(memory: memory, frameEnd: headroom + frame.count, lowestStart: headroom)
    let result = body(&buffer, &guards)
    guards.check(buffer)
    return result
}

/// ``withFrameBuffer(_:headroom:_:)`` for a body that needs only the buffer.
func withFrameBuffer<Result>(_ frame: [UInt8], headroom: Int = 8, _ body: (inout FrameBuffer) -> Result) -> Result {
    withFrameBuffer(frame, headroom: headroom) { buffer, _ in body(&buffer) }
}

/// A small, seeded, reproducible random generator.
typealias SeededGenerator = SplitMix64

/// The checksums of a parsed frame are all right (IPv4 header; L4 when it can be checked).
func checksumsAreValid(_ bytes: [UInt8], wholeSegmentPresent: Bool = false) -> Bool {
    bytes.withUnsafeBytes { raw in
        let info = FrameInfo.parse(raw)
        if info.present.contains(.ipv4) && !ChecksumVerifier.ipv4HeaderIsValid(raw, info: info) { return false }
        if info.present.contains(.l4Header) && (wholeSegmentPresent || !info.isFragment) {
            return ChecksumVerifier.l4IsValid(raw, info: info, wholeSegmentPresent: wholeSegmentPresent)
        }
        return true
    }
}

extension FrameBuilder {
    /// A builder changed by `change`.
    func with(_ change: (inout FrameBuilder) -> Void) -> FrameBuilder {
        var copy = self
        change(&copy)
        return copy
    }
}
