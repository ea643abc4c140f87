import Frame
import Pipeline
import Ruleset

/// Effects that check what the pipeline hands them: every index names an entry of the compiled
/// policy's tables, and every frame view is readable to its last byte (each byte is read, so
/// AddressSanitizer sees a view that runs past the frame).
struct CheckingEffects: PipelineEffects {
    let logPrefixes: Int
    let captureFiles: Int
    let mirrorInterfaces: Int
    /// What was wrong with the calls so far.
    var problems = ViolationLog()
    /// Folded bytes of every view, so the reads are not optimised away.
    private(set) var digest: UInt64 = 0

    init(_ policy: CompiledPolicy) {
        logPrefixes = policy.logPrefixes.count
        captureFiles = policy.captureFiles.count
        mirrorInterfaces = policy.mirrorInterfaces.count
    }

    mutating func log(rule: Int32, prefix: Int32, frame: UnsafeRawBufferPointer, info: FrameInfo, port: UInt8) {
        problems.expect(prefix >= 0 && Int(prefix) < logPrefixes, "effect-index", "log prefix \(prefix)")
        problems.expect(info.length == frame.count, "effect-view", "log: info length \(info.length) != \(frame.count)")
        touch(frame)
    }

    mutating func capture(file: Int32, frame: UnsafeRawBufferPointer) {
        problems.expect(file >= 0 && Int(file) < captureFiles, "effect-index", "capture file \(file)")
        touch(frame)
    }

    mutating func mirror(interface: Int32, frame: UnsafeRawBufferPointer) {
        problems.expect(
            interface >= 0 && Int(interface) < mirrorInterfaces, "effect-index", "mirror interface \(interface)")
        touch(frame)
    }

    private mutating func touch(_ frame: UnsafeRawBufferPointer) {
        var sum: UInt64 = 0
        for byte in frame { sum = sum &* 31 &+ UInt64(byte) }
        digest ^= sum
    }
}
