import CPcap
import Platform

#if canImport(Glibc)
    import Glibc
#endif

/// Writes Ethernet frames to a pcap file that Wireshark and tcpdump open.
///
/// `append` adds to an existing capture (a `pcap "FILE"` statement across restarts and reloads);
/// otherwise the file is replaced. Writes are buffered; ``flush()`` pushes them to the file.
public final class PcapWriter {
    public let path: String
    private let dead: OpaquePointer
    private let dumper: OpaquePointer
    /// Frames written.
    public private(set) var frames = 0

    /// The largest frame stored whole.
    public static let snapshotLength: Int32 = 262_144

    public init(path: String, append: Bool = false) throws(CaptureError) {
        guard let dead = pcap_open_dead(DLT_EN10MB, Self.snapshotLength) else {
            throw .cannotWrite(path: path, reason: "libpcap could not start a capture")
        }
        let opened = append ? pcap_dump_open_append(dead, path) : pcap_dump_open(dead, path)
        guard let opened else {
            let reason = String(cString: pcap_geterr(dead))
            pcap_close(dead)
            throw .cannotWrite(path: path, reason: reason)
        }
        self.path = path
        self.dead = dead
        self.dumper = opened
    }

    /// Appends one frame captured at `timestampNanoseconds` (nanoseconds since the epoch; 0: now).
    public func write(_ frame: UnsafeRawBufferPointer, timestampNanoseconds: UInt64 = 0, wireLength: Int? = nil) {
        var stamp = timestampNanoseconds
        if stamp == 0 { stamp = WallClock.now() }
        var header = pcap_pkthdr()
        header.ts.tv_sec = Int(stamp / 1_000_000_000)
        header.ts.tv_usec = Int(stamp % 1_000_000_000 / 1000)
        header.caplen = UInt32(min(frame.count, Int(Self.snapshotLength)))
        header.len = UInt32(wireLength ?? frame.count)
        guard let base = frame.baseAddress else { return }
        withUnsafePointer(to: &header) { headerPointer in
            pcap_dump(
                UnsafeMutableRawPointer(dumper).assumingMemoryBound(to: UInt8.self), headerPointer,
                base.assumingMemoryBound(to: UInt8.self))
        }
        frames += 1
    }

    /// Pushes buffered frames to the file.
    public func flush() {
        pcap_dump_flush(dumper)
    }

    deinit {
        pcap_dump_close(dumper)
        pcap_close(dead)
    }
}
