/// Classic pcap files built byte by byte (little-endian, microsecond stamps, Ethernet), whole or
/// damaged in each of the ways a capture gets damaged, with where the damage begins.
public enum CaptureBytes {
    /// How a built capture is damaged after its whole frames.
    public enum Damage: String, CaseIterable, Sendable, CustomStringConvertible {
        /// The file ends 30 bytes into a 70-byte record.
        case cutMidRecord
        /// The file ends 7 bytes into a record header.
        case cutMidHeader
        /// The file's snap length is 65535 and a record holds 70000 bytes; a whole frame follows.
        case beyondSnapLength
        /// A record holds 300000 bytes (libpcap reads at most 262144); a whole frame follows.
        case beyondMaximum
        /// A record header of garbage (`deadbeef cafebabe 0badf00d 12345678`); a whole frame follows.
        case garbageHeader
        /// A record header whose fraction of a second is 2 s, with a small length libpcap reads
        /// as a frame; a whole frame follows.
        case garbageFraction

        public var description: String { rawValue }

        /// The kind `replay --json` and `inject --json` name.
        public var kind: String {
            switch self {
            case .cutMidRecord: return "cut-mid-record"
            case .cutMidHeader: return "cut-mid-header"
            case .beyondSnapLength: return "beyond-snap-length"
            case .beyondMaximum: return "beyond-maximum"
            case .garbageHeader, .garbageFraction: return "garbage-header"
            }
        }

        /// What the reason must say.
        public var reasonMentions: String {
            switch self {
            case .cutMidRecord: return "cut mid-record: 30 of 70 captured bytes"
            case .cutMidHeader: return "cut mid-header: 7 of the 16 bytes of a record header"
            case .beyondSnapLength: return "record length 70000 beyond the file's snap length of 65535"
            case .beyondMaximum: return "record length 300000 beyond libpcap's maximum of 262144"
            case .garbageHeader: return "garbage record header"
            case .garbageFraction: return "garbage record header: a fraction of a second of 2000000 µs"
            }
        }
    }

    /// The first frame's stamp (ns since the epoch); each next frame is 1 ms later.
    public static let firstStamp: UInt64 = 1_700_000_000_000_000_000

    /// A 24-byte file header.
    public static func fileHeader(snapLength: UInt32 = 262_144) -> [UInt8] {
        le32(0xa1b2_c3d4) + le16(2) + le16(4) + le32(0) + le32(0) + le32(snapLength) + le32(1)
    }

    /// One record: a 16-byte header and `frame`, `wire` bytes long on the wire (default: all of it).
    public static func record(_ frame: [UInt8], stamp: UInt64, wire: Int? = nil) -> [UInt8] {
        let seconds = UInt32(stamp / 1_000_000_000)
        let microseconds = UInt32(stamp % 1_000_000_000 / 1000)
        return le32(seconds) + le32(microseconds) + le32(UInt32(frame.count)) + le32(UInt32(wire ?? frame.count))
            + frame
    }

    /// A whole capture of `frames`, 1 ms apart from `start`.
    public static func capture(_ frames: [[UInt8]], snapLength: UInt32 = 262_144, start: UInt64 = firstStamp)
        -> [UInt8]
    {
        var bytes = fileHeader(snapLength: snapLength)
        for (index, frame) in frames.enumerated() { bytes += record(frame, stamp: stamp(index, from: start)) }
        return bytes
    }

    /// A capture of `whole`, then `damage`, then (where the damage leaves the file going on)
    /// `after`, which a reader must never return; and the byte offset where the damage begins.
    public static func damaged(
        _ whole: [[UInt8]], _ damage: Damage, after: [UInt8], start: UInt64 = firstStamp
    ) -> (bytes: [UInt8], offset: Int) {
        var bytes = capture(whole, snapLength: damage == .beyondSnapLength ? 65535 : 262_144, start: start)
        let offset = bytes.count
        let next = stamp(whole.count, from: start)
        let following = record(after, stamp: stamp(whole.count + 1, from: start))
        switch damage {
        case .cutMidRecord:
            bytes += record([UInt8](repeating: 0x5a, count: 70), stamp: next).prefix(16 + 30)
        case .cutMidHeader:
            bytes += record([UInt8](repeating: 0x5a, count: 70), stamp: next).prefix(7)
        case .beyondSnapLength:
            bytes += record([UInt8](repeating: 0x5a, count: 70000), stamp: next) + following
        case .beyondMaximum:
            bytes += record([UInt8](repeating: 0x5a, count: 300_000), stamp: next) + following
        case .garbageHeader:
            bytes += [0xde, 0xad, 0xbe, 0xef, 0xca, 0xfe, 0xba, 0xbe, 0x0b, 0xad, 0xf0, 0x0d, 0x12, 0x34, 0x56, 0x78]
            bytes += following
        case .garbageFraction:
            bytes += le32(UInt32(next / 1_000_000_000)) + le32(2_000_000) + le32(60) + le32(60)
            bytes += [UInt8](repeating: 0x5a, count: 60) + following
        }
        return (bytes, offset)
    }

    /// Frame `index`'s stamp in a capture starting at `start`.
    public static func stamp(_ index: Int, from start: UInt64 = firstStamp) -> UInt64 {
        start + UInt64(index) * 1_000_000
    }

    private static func le32(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
    private static func le16(_ value: UInt16) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
}
