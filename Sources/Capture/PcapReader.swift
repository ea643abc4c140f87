import CPcap

#if canImport(Glibc)
    import Glibc
#endif

/// Reads Ethernet frames from a pcap or pcapng file with libpcap, up to the end or the damage.
///
/// A damaged file (cut short, or a record header that cannot be right) gives every whole frame
/// before the damage; then ``next()`` throws ``CaptureError/damaged(_:)`` with where and how
/// (``CaptureDamage``), and keeps throwing it. Besides what libpcap refuses, the reader refuses
/// two kinds of record libpcap reads on from: one longer than the file's snap length (libpcap
/// silently cuts it to the snap length) and, in both formats, a header whose fraction of a second
/// is a second or more or that claims more bytes captured than were on the wire.
///
/// Byte offsets: libpcap reports none, so the reader finds its own. In a classic pcap file a
/// record starts 24 bytes (the file header) plus, per record before it, 16 (its header) plus its
/// captured length into the file; the reader adds these up, and asks `ftell` on libpcap's file
/// (libpcap reads it sequentially, so that is where the next record begins) only for a record
/// exactly as long as the snap length, to see how many bytes libpcap consumed for it. In a
/// pcapng file blocks carry options and padding: ``offset`` asks `ftell` when it is read, and the
/// damage's offset comes from walking the file's block headers up to the last whole frame. `ftell`
/// is an `lseek` system call (about 1 µs a frame on the test machine, 3 to 4 times libpcap's own
/// cost to read a frame), so the per-frame path never calls it for a whole capture.
public final class PcapReader {
    /// One frame: its bytes (valid until the next call to ``next()``), when it was captured,
    /// and its length on the wire.
    public struct Record {
        public var bytes: UnsafeRawBufferPointer
        public var seconds: Int
        public var microseconds: Int
        public var wireLength: Int
        /// Capture time in nanoseconds since the epoch.
        public var timestampNanoseconds: UInt64 {
            UInt64(max(0, seconds)) &* 1_000_000_000 &+ UInt64(max(0, microseconds)) &* 1000
        }
    }

    public let path: String
    /// The file is pcapng (else classic pcap).
    public let isPcapng: Bool
    /// The file's snap length as libpcap took it.
    public let snapLength: Int
    /// Whole frames returned so far.
    public private(set) var framesRead = 0
    /// The byte offset in the file where the next record begins (pcapng: where libpcap's reading
    /// stands, the end of the last block it read); at the damage, where the damaged record begins.
    public var offset: Int {
        if let damage { return damage.offset }
        return isPcapng ? Self.position(handle) ?? recordStart : recordStart
    }
    /// Classic pcap: where the next record begins. pcapng: where the first block after the
    /// section header and interface description begins.
    private var recordStart: Int
    /// Where and how the file is damaged, once ``next()`` found it.
    public private(set) var damage: CaptureDamage?
    private var ended = false
    private let handle: OpaquePointer
    private let classifier: DamageClassifier

    /// Opens `path`; refuses files that are not Ethernet captures.
    public init(path: String) throws(CaptureError) {
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let handle = pcap_open_offline(path, &errorBuffer) else {
            throw .cannotOpen(path: path, reason: Self.text(errorBuffer))
        }
        let linkType = pcap_datalink(handle)
        guard linkType == DLT_EN10MB else {
            let name = pcap_datalink_val_to_name(linkType).map { String(cString: $0) } ?? "\(linkType)"
            pcap_close(handle)
            throw .notEthernet(path: path, linkType: name)
        }
        self.path = path
        self.handle = handle
        // libpcap reports major version 2 for classic pcap and the section's (1) for pcapng.
        isPcapng = pcap_major_version(handle) == 1
        snapLength = Int(pcap_snapshot(handle))
        recordStart = Self.position(handle) ?? (isPcapng ? 0 : 24)
        classifier = DamageClassifier(
            path: path, isPcapng: isPcapng, swapped: pcap_is_swapped(handle) == 1, snapLength: snapLength)
    }

    /// The next frame, or nil at the end of the file.
    ///
    /// - Throws: ``CaptureError/damaged(_:)`` at the first record that cannot be read whole, and
    ///   again at every later call.
    public func next() throws(CaptureError) -> Record? {
        if let damage { throw .damaged(damage) }
        if ended { return nil }
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        let result = pcap_next_ex(handle, &header, &data)
        switch result {
        case 1:
            guard let header, let data else { return nil }
            let h = header.pointee
            let captured = Int(h.caplen)
            let start = recordStart
            if !isPcapng {
                // libpcap cuts a longer record to the snap length: only then can it have consumed more.
                recordStart =
                    captured == snapLength ? Self.position(handle) ?? start + 16 + captured : start + 16 + captured
                if recordStart - start - 16 > captured {
                    throw refuse(
                        at: start, .beyondSnapLength,
                        "record length \(recordStart - start - 16) beyond the file's snap length of \(snapLength)"
                            + " (libpcap would cut it to \(snapLength) bytes and read on)")
                }
            }
            if let garbage = DamageClassifier.garbage(
                fraction: Int(h.ts.tv_usec), fractionLimit: 1_000_000, captured: captured, wire: Int(h.len))
            {
                throw refuse(
                    at: isPcapng ? startOfBlock() : start, .garbageHeader,
                    garbage + " (libpcap would read it as a frame)")
            }
            framesRead += 1
            return Record(
                bytes: UnsafeRawBufferPointer(start: data, count: captured), seconds: Int(h.ts.tv_sec),
                microseconds: Int(h.ts.tv_usec), wireLength: Int(h.len))
        case PCAP_ERROR_BREAK:
            ended = true
            return nil
        default:
            let message = String(cString: pcap_geterr(handle))
            let start = isPcapng ? startOfBlock() : recordStart
            let (kind, reason) = classifier.classifyRefused(at: start, message: message)
            throw refuse(at: start, kind, reason)
        }
    }

    /// Records damage of `kind` in the record at `start` (the next frame's) and returns the error.
    private func refuse(at start: Int, _ kind: CaptureDamage.Kind, _ reason: String) -> CaptureError {
        let found = CaptureDamage(path: path, frame: framesRead + 1, offset: start, kind: kind, reason: reason)
        damage = found
        return .damaged(found)
    }

    /// pcapng: where the block after the last whole frame's begins (before any frame: after the
    /// section header and interface description libpcap read at opening).
    private func startOfBlock() -> Int {
        guard framesRead > 0 else { return recordStart }
        return classifier.pcapngOffset(afterFrames: framesRead) ?? recordStart
    }

    /// Where libpcap's reading of the file stands (`ftell`), or nil when it cannot say.
    private static func position(_ handle: OpaquePointer) -> Int? {
        guard let file = pcap_file(handle) else { return nil }
        let position = ftell(file)
        return position >= 0 ? position : nil
    }

    deinit {
        pcap_close(handle)
    }

    static func text(_ buffer: [CChar]) -> String {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
