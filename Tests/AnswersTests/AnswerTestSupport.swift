import Answers
import Frame
import Testing

/// What one call of the builder produced.
struct Answered {
    var outcome: AnswerOutcome
    /// The answer's bytes (empty when refused).
    var bytes: [UInt8]
    /// The output buffer afterwards, all of it.
    var buffer: [UInt8]
}

/// The byte the output buffer is filled with before the builder runs.
let untouched: UInt8 = 0xee

/// Builds the answer to `frame` into a `capacity`-byte buffer filled with ``untouched``, and
/// checks that nothing after the answer (or anything at all, when refused) was written.
func answer(
    _ kind: RejectKind, to frame: [UInt8], verifyingChecksum: Bool = true, capacity: Int = 2048,
    sourceLocation: SourceLocation = #_sourceLocation
) -> Answered {
    var buffer = [UInt8](repeating: untouched, count: capacity)
    let outcome = frame.withUnsafeBytes { original in
        buffer.withUnsafeMutableBytes { output in
            AnswerBuilder.build(
                kind, original: original, info: FrameInfo.parse(original), into: output,
                verifyingChecksum: verifyingChecksum)
        }
    }
    switch outcome {
    case .built(let length):
        guard length <= buffer.count else {
            Issue.record("answer length \(length) beyond the buffer", sourceLocation: sourceLocation)
            return Answered(outcome: outcome, bytes: [], buffer: buffer)
        }
        #expect(
            buffer[length...].allSatisfy { $0 == untouched }, "wrote past the answer", sourceLocation: sourceLocation)
        return Answered(outcome: outcome, bytes: Array(buffer[..<length]), buffer: buffer)
    case .refused:
        #expect(buffer.allSatisfy { $0 == untouched }, "wrote while refusing", sourceLocation: sourceLocation)
        return Answered(outcome: outcome, bytes: [], buffer: buffer)
    }
}

/// The answer's bytes, failing the test when there is none.
func built(
    _ kind: RejectKind, to frame: [UInt8], verifyingChecksum: Bool = true,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> [UInt8] {
    let result = answer(kind, to: frame, verifyingChecksum: verifyingChecksum, sourceLocation: sourceLocation)
    guard case .built = result.outcome else {
        Issue.record("expected an answer, got \(result.outcome)", sourceLocation: sourceLocation)
        throw AnswerTestFailure.noAnswer
    }
    return result.bytes
}

/// A test stops here when the builder refused where an answer was expected.
enum AnswerTestFailure: Error {
    case noAnswer
}

func parse(_ bytes: [UInt8]) -> FrameInfo {
    bytes.withUnsafeBytes { FrameInfo.parse($0) }
}

/// Big-endian reads from a byte array, for checking fields by offset.
extension Array where Element == UInt8 {
    func be16(_ offset: Int) -> UInt16 { UInt16(self[offset]) << 8 | UInt16(self[offset + 1]) }
    func be32(_ offset: Int) -> UInt32 { UInt32(be16(offset)) << 16 | UInt32(be16(offset + 2)) }
    func mac(_ offset: Int) -> UInt64 { UInt64(be16(offset)) << 32 | UInt64(be32(offset + 2)) }
    func be128(_ offset: Int) -> UInt128 {
        (0..<16).reduce(UInt128(0)) { $0 << 8 | UInt128(self[offset + $1]) }
    }
}

/// An Internet checksum written here, independent of Frame's: the one's-complement sum of
/// 16-bit big-endian words, folded.
enum IndependentChecksum {
    static func sum(_ bytes: [UInt8]) -> UInt32 {
        var total: UInt32 = 0
        var index = 0
        while index < bytes.count {
            let high = UInt32(bytes[index])
            let low = index + 1 < bytes.count ? UInt32(bytes[index + 1]) : 0
            total += high << 8 | low
            index += 2
        }
        while total > 0xffff { total = (total & 0xffff) + (total >> 16) }
        return total
    }

    /// True when `bytes`, which include their checksum field, sum to 0xffff.
    static func holds(_ bytes: [UInt8]) -> Bool { sum(bytes) == 0xffff }

    static func bytes(_ value: UInt128, count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: value >> UInt128(8 * (count - 1 - $0))) }
    }

    /// The IPv4 pseudo-header (RFC 9293 section 3.1) as bytes.
    static func ipv4PseudoHeader(source: UInt32, destination: UInt32, protocol proto: UInt8, length: Int) -> [UInt8] {
        bytes(UInt128(source), count: 4) + bytes(UInt128(destination), count: 4) + [0, proto]
            + bytes(UInt128(length), count: 2)
    }

    /// The IPv6 pseudo-header (RFC 8200 section 8.1) as bytes.
    static func ipv6PseudoHeader(source: UInt128, destination: UInt128, nextHeader: UInt8, length: Int) -> [UInt8] {
        bytes(source, count: 16) + bytes(destination, count: 16) + bytes(UInt128(length), count: 4)
            + [0, 0, 0, nextHeader]
    }

    /// Checks every checksum of a parsed answer with this code: the IPv4 header, and the TCP,
    /// ICMP or ICMPv6 checksum over the segment (pseudo-header included where there is one).
    static func answerChecksumsHold(_ frame: [UInt8]) -> Bool {
        let info = parse(frame)
        let segment = Array(frame[info.l4Offset..<info.ipEnd])
        if info.present.contains(.ipv4) {
            guard holds(Array(frame[info.l3Offset..<info.l3Offset + info.ipv4HeaderLength])) else { return false }
            if info.l4Protocol == IPProtocol.icmp { return holds(segment) }
            return holds(
                ipv4PseudoHeader(
                    source: info.ipv4Source, destination: info.ipv4Destination, protocol: info.l4Protocol,
                    length: segment.count) + segment)
        }
        return holds(
            ipv6PseudoHeader(
                source: info.ipv6Source, destination: info.ipv6Destination, nextHeader: info.l4Protocol,
                length: segment.count) + segment)
    }
}

/// Checks an answer's checksums twice: with Frame's verifier and with ``IndependentChecksum``.
func checksumsHold(_ frame: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
    frame.withUnsafeBytes { raw in
        let info = FrameInfo.parse(raw)
        if info.present.contains(.ipv4) {
            #expect(ChecksumVerifier.ipv4HeaderIsValid(raw, info: info), sourceLocation: sourceLocation)
        }
        #expect(ChecksumVerifier.l4IsValid(raw, info: info), sourceLocation: sourceLocation)
    }
    #expect(IndependentChecksum.answerChecksumsHold(frame), sourceLocation: sourceLocation)
}
