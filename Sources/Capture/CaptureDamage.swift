import Platform

/// Where and how a capture file is damaged: the first record that cannot be read whole.
///
/// Every frame before ``frame`` is whole and was returned; nothing at or after ``offset`` is
/// read. tcpdump and Wireshark stop at the same place and report it; so do `replay` and `inject`.
public struct CaptureDamage: Sendable, Equatable, CustomStringConvertible {
    /// What is wrong with the damaged record.
    public enum Kind: String, Sendable {
        /// The file ends inside a record header (pcap: 16 bytes; pcapng: a block's type and length).
        case cutMidHeader = "cut-mid-header"
        /// The file ends inside a record's captured bytes (pcapng: inside a block).
        case cutMidRecord = "cut-mid-record"
        /// The record holds more bytes than the file's snap length allows.
        case beyondSnapLength = "beyond-snap-length"
        /// The record (pcapng: block) is longer than libpcap reads at all.
        case beyondMaximum = "beyond-maximum"
        /// The record header's fields cannot come from a capture (a fraction of a second of a
        /// second or more, more bytes captured than were on the wire, a malformed pcapng block).
        case garbageHeader = "garbage-header"
        /// libpcap could not read on for another reason (an I/O error); its message says which.
        case unreadable
    }

    /// The capture file.
    public var path: String
    /// The damaged record's number, counting frames from 1: frames 1 to `frame - 1` are whole.
    public var frame: Int
    /// The byte offset in the file where the damaged record begins (pcap: its 16-byte header).
    /// In a pcapng file it is where the block after the last whole frame begins: the damage is
    /// in that block or in a later block that holds no frame.
    public var offset: Int
    /// What is wrong.
    public var kind: Kind
    /// What is wrong, for people: the kind with its figures, then what libpcap itself says.
    public var reason: String

    /// Damage of `kind` at byte `offset` of `path`, in the record that would be frame `frame`.
    public init(path: String, frame: Int, offset: Int, kind: Kind, reason: String) {
        self.path = path
        self.frame = frame
        self.offset = offset
        self.kind = kind
        self.reason = reason
    }

    /// Whole frames before the damage.
    public var wholeFrames: Int { frame - 1 }

    /// `capture PATH is damaged at byte OFFSET (frame N): REASON`.
    public var description: String {
        "capture \(path) is damaged at byte \(offset) (frame \(frame)): \(reason)"
    }

    /// Writes `{"file":PATH,"frame":N,"offset":BYTES,"kind":KIND,"reason":TEXT}`.
    public func write(into json: inout JSONWriter) {
        json.beginObject()
        json.field("file", path)
        json.field("frame", frame)
        json.field("offset", offset)
        json.field("kind", kind.rawValue)
        json.field("reason", reason)
        json.endObject()
    }
}
