import Capture

/// A whole capture read into memory (`--preload`): one block of bytes and an index, shared
/// read-only by every transmit thread.
public final class PreloadedCapture: @unchecked Sendable {
    struct Entry {
        var offset: Int
        var length: Int
        var timestamp: UInt64
    }

    /// Frames in the capture.
    public let frameCount: Int
    /// Bytes of all frames together.
    public let byteCount: Int
    /// Where the capture is damaged (nil: whole): only the whole frames before it were read.
    public let damage: CaptureDamage?
    let storage: UnsafeMutableRawPointer
    let entries: UnsafeMutableBufferPointer<Entry>

    /// Reads every frame of `reader` into memory, to its end or its damage (``damage``).
    public init(reader: PcapReader) throws(CaptureError) {
        var bytes: [UInt8] = []
        var index: [Entry] = []
        var damage: CaptureDamage?
        while true {
            let next: PcapReader.Record?
            do {
                next = try reader.next()
            } catch .damaged(let found) {
                damage = found
                break
            }
            guard let record = next else { break }
            index.append(Entry(offset: bytes.count, length: record.bytes.count, timestamp: record.timestampNanoseconds))
            bytes.append(contentsOf: record.bytes)
        }
        self.damage = damage
        frameCount = index.count
        byteCount = bytes.count
        let storage = UnsafeMutableRawPointer.allocate(byteCount: max(1, bytes.count), alignment: 64)
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { storage.copyMemory(from: base, byteCount: source.count) }
        }
        let entries = UnsafeMutableBufferPointer<Entry>.allocate(capacity: max(1, index.count))
        _ = entries.initialize(from: index)
        self.storage = storage
        self.entries = entries
    }

    /// Reads the capture at `path` into memory.
    public convenience init(path: String) throws(CaptureError) {
        try self.init(reader: PcapReader(path: path))
    }

    deinit {
        storage.deallocate()
        entries.deallocate()
    }

    /// Frame `index`'s bytes (for tests and tools; the transmit path uses ``PreloadedFrames``).
    public func frame(_ index: Int) -> UnsafeRawBufferPointer {
        let entry = entries[index]
        return UnsafeRawBufferPointer(start: storage + entry.offset, count: entry.length)
    }
}

/// One thread's frames from a ``PreloadedCapture``, pass after pass.
public struct PreloadedFrames: FrameSource {
    private let capture: PreloadedCapture
    private let storage: UnsafeRawPointer
    private let entries: UnsafeBufferPointer<PreloadedCapture.Entry>
    private let first: Int
    private let stride: Int
    private let firstTimestamp: UInt64
    private var index: Int
    private var passesLeft: UInt64
    private var pass: UInt32 = 0

    /// This thread's share of `capture`, `passes` times over (0: forever).
    public init(capture: PreloadedCapture, share: ThreadShare, passes: UInt64) {
        self.capture = capture
        storage = UnsafeRawPointer(capture.storage)
        entries = UnsafeBufferPointer(start: capture.entries.baseAddress, count: capture.frameCount)
        first = share.thread
        stride = share.threads
        firstTimestamp = capture.frameCount > 0 ? capture.entries[0].timestamp : 0
        index = share.thread
        passesLeft = passes == 0 ? .max : passes
    }

    /// Nil after the last pass; always nil when this thread's share is empty.
    public var failure: InjectionError? { nil }

    /// The capture's damage: every pass holds only the whole frames before it.
    public var damage: CaptureDamage? { capture.damage }

    public mutating func next() -> SourceFrame? {
        if index >= entries.count {
            guard first < entries.count, passesLeft > 1 else { return nil }
            passesLeft -= 1
            pass &+= 1
            index = first
        }
        let entry = entries[index]
        index &+= stride
        let offset = entry.timestamp >= firstTimestamp ? entry.timestamp &- firstTimestamp : 0
        return SourceFrame(
            bytes: UnsafeRawBufferPointer(start: storage + entry.offset, count: entry.length),
            offsetNanoseconds: offset, pass: pass)
    }
}
