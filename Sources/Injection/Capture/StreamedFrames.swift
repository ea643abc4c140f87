import Capture

/// One thread's frames read from a capture file as they are sent (without `--preload`), pass
/// after pass: each pass opens the file again.
///
/// With several threads each reads the whole file and keeps its own share, so the file is read
/// once per thread; `--preload` reads it once for all. A damaged capture ends each pass at its
/// damage (``damage``): every pass sends the whole frames before it.
public struct StreamedFrames: FrameSource {
    private let path: String
    private var reader: PcapReader?
    private let first: Int
    private let stride: Int
    private var position = 0
    private var untilMine: Int
    private var firstTimestamp: UInt64 = 0
    private var passesLeft: UInt64
    private var pass: UInt32 = 0
    private var sentThisPass = false
    /// Why reading stopped early, if it did.
    public private(set) var failure: InjectionError?
    /// Where the capture is damaged, once a pass met it.
    public private(set) var damage: CaptureDamage?

    /// This thread's share of the capture at `path`, `passes` times over (0: forever).
    public init(path: String, share: ThreadShare, passes: UInt64) throws(InjectionError) {
        self.path = path
        do {
            reader = try PcapReader(path: path)
        } catch {
            throw .capture(error)
        }
        first = share.thread
        stride = share.threads
        untilMine = share.thread
        passesLeft = passes == 0 ? .max : passes
    }

    public mutating func next() -> SourceFrame? {
        while let reader {
            let record: PcapReader.Record?
            do {
                record = try reader.next()
            } catch .damaged(let found) {
                if damage == nil { damage = found }
                record = nil
            } catch {
                failure = .capture(error)
                self.reader = nil
                return nil
            }
            guard let record else {
                startNextPass()
                continue
            }
            if position == 0 { firstTimestamp = record.timestampNanoseconds }
            position &+= 1
            guard untilMine == 0 else {
                untilMine &-= 1
                continue
            }
            untilMine = stride &- 1
            sentThisPass = true
            let stamp = record.timestampNanoseconds
            return SourceFrame(
                bytes: record.bytes, offsetNanoseconds: stamp >= firstTimestamp ? stamp &- firstTimestamp : 0,
                pass: pass)
        }
        return nil
    }

    /// Opens the file again for the next pass, or ends when the passes are done or this thread's
    /// share of a pass was empty (the next would be too).
    private mutating func startNextPass() {
        reader = nil
        guard passesLeft > 1, sentThisPass else { return }
        passesLeft -= 1
        pass &+= 1
        position = 0
        untilMine = first
        sentThisPass = false
        do {
            reader = try PcapReader(path: path)
        } catch {
            failure = .capture(error)
        }
    }
}
