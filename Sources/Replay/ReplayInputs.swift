import Capture
import Policy

/// One capture to replay and the port of the bridge its frames arrive on.
public struct ReplayInput {
    /// The capture.
    public var reader: PcapReader
    /// Where its frames arrive.
    public var port: PortName

    /// Frames of `reader` arriving on `port`.
    public init(_ reader: PcapReader, port: PortName) {
        self.reader = reader
        self.port = port
    }
}

/// Several captures read as one stream in timestamp order, as the bridge would see them arrive:
/// one per port (`tcpdump -i PORT` on each side), or several for one port.
///
/// Each capture is read in its own order; at every step the frame stamped earliest among the
/// captures' next frames comes first (a tie goes to the capture named first). A capture whose
/// timestamps go backwards is still read in file order: the merge never reorders within one.
///
/// A damaged capture ends at its damage: its whole frames before it are read, the other captures
/// go on to their ends, and ``damage`` names it.
struct ReplayInputs {
    private let inputs: [ReplayInput]
    /// The next record of each capture (nil: at its end).
    private var pending: [PcapReader.Record?]
    /// The capture whose record the latest ``next()`` returned: it is read on at the next call
    /// (not before, since reading invalidates the bytes of its previous record).
    private var consumed: Int?
    /// The damaged captures, in the order their damage was met.
    private(set) var damage: [CaptureDamage] = []

    /// Reads the first record of every capture.
    init(_ inputs: [ReplayInput]) throws(CaptureError) {
        self.inputs = inputs
        pending = []
        for index in inputs.indices { pending.append(try read(index)) }
    }

    /// The next record of capture `index`; nil at its end or its damage (which is recorded).
    private mutating func read(_ index: Int) throws(CaptureError) -> PcapReader.Record? {
        do {
            return try inputs[index].reader.next()
        } catch .damaged(let found) {
            damage.append(found)
            return nil
        }
    }

    /// The first frame's timestamp (before the first ``next()``), or nil for empty captures.
    var firstTimestamp: UInt64? {
        pending.compactMap { $0?.timestampNanoseconds }.min()
    }

    /// The next frame of the merged stream and its port, or nil when every capture has ended.
    /// The record's bytes are valid until the next call.
    mutating func next() throws(CaptureError) -> (record: PcapReader.Record, port: PortName)? {
        if let consumed {
            pending[consumed] = try read(consumed)
            self.consumed = nil
        }
        var earliest: Int?
        for index in pending.indices {
            guard let record = pending[index] else { continue }
            if let best = earliest, pending[best]!.timestampNanoseconds <= record.timestampNanoseconds { continue }
            earliest = index
        }
        guard let earliest, let record = pending[earliest] else { return nil }
        consumed = earliest
        return (record, inputs[earliest].port)
    }
}
