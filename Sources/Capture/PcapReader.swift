import CPcap

/// Reads Ethernet frames from a pcap or pcapng file with libpcap.
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
    private let handle: OpaquePointer

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
    }

    /// The next frame, or nil at the end of the file.
    public func next() throws(CaptureError) -> Record? {
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        let result = pcap_next_ex(handle, &header, &data)
        switch result {
        case 1:
            guard let header, let data else { return nil }
            let h = header.pointee
            return Record(
                bytes: UnsafeRawBufferPointer(start: data, count: Int(h.caplen)), seconds: Int(h.ts.tv_sec),
                microseconds: Int(h.ts.tv_usec), wireLength: Int(h.len))
        case PCAP_ERROR_BREAK:
            return nil
        default:
            throw .damaged(path: path, reason: String(cString: pcap_geterr(handle)))
        }
    }

    deinit {
        pcap_close(handle)
    }

    static func text(_ buffer: [CChar]) -> String {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
