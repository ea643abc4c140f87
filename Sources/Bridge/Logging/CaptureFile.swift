import Capture

/// A `pcap "FILE"` target: appended to, flushed by the control thread once a second (the
/// controller guards every use with a lock).
final class CaptureFile: @unchecked Sendable {
    private let writer: PcapWriter

    init(path: String) throws(CaptureError) {
        writer = try PcapWriter(path: path, append: true)
    }

    func write(_ bytes: UnsafeRawBufferPointer, time: UInt64, wireLength: Int) {
        writer.write(bytes, timestampNanoseconds: time, wireLength: wireLength)
    }

    func flush() { writer.flush() }
}
