#if canImport(Glibc)
    import Glibc
#endif

/// Says what is wrong with the record at a byte offset of a capture that libpcap refused (or
/// accepted though it should not have), by reading the file's own bytes there: libpcap reports
/// neither the offset nor, in terms a person can act on, the kind of damage.
struct DamageClassifier {
    /// The capture file.
    let path: String
    /// pcapng rather than classic pcap.
    let isPcapng: Bool
    /// The file's byte order is not the host's.
    let swapped: Bool
    /// The snap length libpcap read in the file's header (or its maximum, when that is bogus).
    let snapLength: Int

    /// libpcap's largest record for Ethernet (`MAXIMUM_SNAPLEN`): longer ones it refuses.
    static let libpcapMaximum = 262_144
    /// libpcap's largest pcapng block by default (16 MiB).
    static let libpcapMaximumBlock = 16 * 1024 * 1024

    /// What is wrong with the record at `offset`, which libpcap refused with `message`.
    func classifyRefused(at offset: Int, message: String) -> (CaptureDamage.Kind, String) {
        let (kind, reason) = isPcapng ? classifyBlock(at: offset) : classifyRecord(at: offset)
        let said = "libpcap: \(message)"
        return (kind, reason.isEmpty ? said : reason + "; " + said)
    }

    /// A classic pcap record header's problem, or nil: a fraction of a second of a whole second or
    /// more, or more bytes captured than the frame had on the wire. libpcap reads such a record
    /// as a frame; it is garbage that happens to have a small length.
    static func garbage(fraction: Int, fractionLimit: Int, captured: Int, wire: Int) -> String? {
        if fraction >= fractionLimit {
            let unit = fractionLimit == 1_000_000 ? "µs" : "ns"
            return "garbage record header: a fraction of a second of \(fraction) \(unit)"
        }
        if captured > wire {
            return "garbage record header: \(captured) bytes captured of a frame of \(wire) on the wire"
        }
        return nil
    }

    private func classifyRecord(at offset: Int) -> (CaptureDamage.Kind, String) {
        let (bytes, remaining) = read(16, at: offset)
        guard remaining >= 16, bytes.count == 16 else {
            return (.cutMidHeader, "cut mid-header: \(max(0, remaining)) of the 16 bytes of a record header")
        }
        let fraction = Int(word(bytes, 4))
        let captured = Int(word(bytes, 8))
        let wire = Int(word(bytes, 12))
        let limit = isNanosecond ? 1_000_000_000 : 1_000_000
        if let garbage = Self.garbage(fraction: fraction, fractionLimit: limit, captured: captured, wire: wire) {
            return (.garbageHeader, garbage)
        }
        if captured > Self.libpcapMaximum {
            return (.beyondMaximum, "record length \(captured) beyond libpcap's maximum of \(Self.libpcapMaximum)")
        }
        if captured > snapLength {
            return (.beyondSnapLength, "record length \(captured) beyond the file's snap length of \(snapLength)")
        }
        if remaining - 16 < captured {
            return (.cutMidRecord, "cut mid-record: \(remaining - 16) of \(captured) captured bytes")
        }
        return (.unreadable, "")
    }

    private func classifyBlock(at offset: Int) -> (CaptureDamage.Kind, String) {
        let (bytes, remaining) = read(8, at: offset)
        guard remaining >= 8, bytes.count == 8 else {
            return (.cutMidHeader, "cut mid-header: \(max(0, remaining)) of the 8 bytes of a block's type and length")
        }
        let length = Int(word(bytes, 4))
        if length < 12 || length % 4 != 0 {
            return (.garbageHeader, "garbage block header: a block length of \(length)")
        }
        if length > Self.libpcapMaximumBlock {
            return (.beyondMaximum, "block length \(length) beyond libpcap's maximum of \(Self.libpcapMaximumBlock)")
        }
        if remaining < length {
            return (.cutMidRecord, "cut mid-record: \(remaining) of the \(length) bytes of a block")
        }
        return (.unreadable, "")
    }

    /// pcapng: the offset where the block after the `frames`-th frame's block begins, found by
    /// walking the block headers from the start (as libpcap reads them: each block's length, in
    /// its section's byte order); nil when the file ends or a block header is broken first.
    func pcapngOffset(afterFrames frames: Int) -> Int? {
        var offset = 0
        var seen = 0
        var sectionSwapped = swapped
        while true {
            let (bytes, remaining) = read(12, at: offset)
            guard remaining >= 12, bytes.count == 12 else { return nil }
            let type = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 0, as: UInt32.self) }
            if type == 0x0A0D_0D0A {
                // A section header: its byte-order magic sets the order of everything in the section.
                let littleEndianFile = Array(bytes[8..<12]) == [0x4d, 0x3c, 0x2b, 0x1a]
                sectionSwapped = littleEndianFile != (UInt32(1).littleEndian == 1)
            }
            var length = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 4, as: UInt32.self) }
            if sectionSwapped { length = length.byteSwapped }
            let blockType = sectionSwapped ? type.byteSwapped : type
            guard length >= 12, length % 4 == 0 else { return nil }
            offset += Int(length)
            // Enhanced, simple and (obsolete) packet blocks hold frames.
            if blockType == 6 || blockType == 3 || blockType == 2 {
                seen += 1
                if seen == frames { return offset }
            }
        }
    }

    /// The file's magic number says its fractions are nanoseconds (`0xa1b23c4d`), not microseconds.
    private var isNanosecond: Bool {
        let magic = read(4, at: 0).bytes
        return magic.count == 4 && (magic == [0x4d, 0x3c, 0xb2, 0xa1] || magic == [0xa1, 0xb2, 0x3c, 0x4d])
    }

    /// The 32-bit field at `index` of `bytes`, in the file's byte order (`swapped`: not the host's).
    private func word(_ bytes: [UInt8], _ index: Int) -> UInt32 {
        let value = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: index, as: UInt32.self) }
        return swapped ? value.byteSwapped : value
    }

    /// Up to `count` bytes at `offset`, and how many bytes the file holds from `offset` on.
    private func read(_ count: Int, at offset: Int) -> (bytes: [UInt8], remaining: Int) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return ([], 0) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return ([], 0) }
        var bytes = [UInt8](repeating: 0, count: count)
        let got = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count, off_t(offset)) }
        return (Array(bytes.prefix(max(0, got))), Int(status.st_size) - offset)
    }
}
