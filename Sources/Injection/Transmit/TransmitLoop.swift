import CLinuxShim
import Platform
import Ring
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One transmit thread's loop: frames from its source, through its socket's TX ring, one kick per
/// batch, paced per batch.
///
/// Per frame (``transmit(_:)``): check the length, insert the VLAN tag when asked (into a scratch
/// buffer), and hand it to the Ring's ``Transmitter``, which copies it into the next TX slot and,
/// when the ring is full, kicks it and waits for room (1 ms at a time, for at most the stall
/// time). The length limit is the kernel's: MTU + 14, plus 4 when
/// the outer tag is 802.1Q (0x8100; the kernel grants 802.1ad no such allowance). No
/// allocation, lock, closure or existential; the clock is read once per batch (and per frame
/// only under `--speed`, when a frame is not yet due).
struct TransmitLoop<Source: FrameSource> {
    var source: Source
    let socket: PacketSocket
    let stopRequested: StopFlag
    let published: PublishedCounters
    let pacing: Pacing
    let framesPerSecond: Double
    let batchLimit: Int
    let maximumLength: Int
    let insertsTag: Bool
    let tagControl: UInt16
    let scratch: UnsafeMutableRawPointer
    let scratchCapacity: Int
    let stallNanoseconds: UInt64
    /// The Ring's transmit path: waits of 1 ms for room, for at most the stall time per frame.
    private var transmitter: Transmitter
    private(set) var counters = TransmitCounters()
    private(set) var failure: InjectionError?
    /// Bytes of the frames enqueued since the last successful kick.
    private var pendingBytes: UInt64 = 0

    /// The longest frame (with a tag inserted) the scratch buffer holds.
    static var scratchSize: Int { 65536 + 4 }

    /// A loop for `socket` sending `source`'s frames; `framesPerSecond` is this thread's share of
    /// a `.rate` pacing. `scratch` must hold ``scratchSize`` bytes.
    init(
        source: Source, socket: PacketSocket, stopRequested: StopFlag, published: PublishedCounters,
        options: TransmitOptions, framesPerSecond: Double, scratch: UnsafeMutableRawPointer
    ) {
        self.source = source
        self.socket = socket
        self.stopRequested = stopRequested
        self.published = published
        self.pacing = options.pacing
        self.framesPerSecond = framesPerSecond
        let ringLimit = max(1, (socket.transmitGeometry?.frameCount ?? 2) / 2)
        let limit = min(max(1, options.batchLimit), ringLimit)
        if case .rate = options.pacing {
            batchLimit = RatePacer.batchSize(framesPerSecond: framesPerSecond, limit: limit)
        } else {
            batchLimit = limit
        }
        maximumLength = socket.mtu + 14
        insertsTag = options.insertVLAN != nil
        tagControl = (options.insertVLAN ?? 0) & 0x0fff
        self.scratch = scratch
        scratchCapacity = Self.scratchSize
        stallNanoseconds = UInt64(max(1, options.stallSeconds)) * 1_000_000_000
        transmitter = Transmitter(wait: TransmitWait(retryNanoseconds: 1_000_000, giveUpNanoseconds: stallNanoseconds))
    }

    /// Sends until the source runs out, a stop is requested, or sending fails (``failure``).
    mutating func run() {
        var now = MonotonicClock.now()
        var pacer = RatePacer(framesPerSecond: max(framesPerSecond, 1e-3), burst: batchLimit, now: now)
        var timeline = CaptureTimeline(multiplier: 1, origin: now)
        var paced = false
        var followsTimestamps = false
        switch pacing {
        case .unlimited: break
        case .rate: paced = true
        case .timestamps(let multiplier):
            followsTimestamps = true
            timeline = CaptureTimeline(multiplier: multiplier, origin: now)
        }
        var currentPass: UInt32 = 0
        running: while !stopRequested.isSet {
            var budget = batchLimit
            if paced {
                budget = pacer.grant(now: now, wanted: batchLimit)
                if budget == 0 {
                    guard sleep(until: pacer.readyTime(frames: batchLimit)) else { break }
                    now = MonotonicClock.now()
                    continue
                }
            }
            var exhausted = false
            var taken = 0
            while taken < budget {
                guard let frame = source.next() else {
                    exhausted = true
                    break
                }
                taken &+= 1
                if followsTimestamps {
                    if frame.pass != currentPass {
                        currentPass = frame.pass
                        now = MonotonicClock.now()
                        timeline.restart(at: now)
                    }
                    let due = timeline.due(offset: frame.offsetNanoseconds)
                    if due > now {
                        now = MonotonicClock.now()
                        if due > now {
                            guard flush(), sleep(until: due) else { break running }
                            now = MonotonicClock.now()
                        }
                    }
                }
                guard transmit(frame.bytes) else { break running }
            }
            guard flush() else { break }
            published.publish(counters)
            if exhausted { break }
            now = MonotonicClock.now()
        }
        drain()
        published.publish(counters)
    }

    /// One frame into the TX ring (waiting for a free slot when the ring is full). False when the
    /// loop must end: a stop was requested while waiting, or sending failed.
    @inline(__always)
    private mutating func transmit(_ original: UnsafeRawBufferPointer) -> Bool {
        guard original.count >= 14, let base = original.baseAddress else {
            counters.skipped &+= 1
            return true
        }
        var bytes = original
        let outer = Self.outerType(base)
        var dot1Q = outer == 0x8100
        if insertsTag && !Self.isTagged(outer) {
            guard original.count + 4 <= scratchCapacity else {
                counters.tooBig &+= 1
                return true
            }
            scratch.copyMemory(from: base, byteCount: 12)
            scratch.storeBytes(of: UInt16(0x8100).bigEndian, toByteOffset: 12, as: UInt16.self)
            scratch.storeBytes(of: tagControl.bigEndian, toByteOffset: 14, as: UInt16.self)
            (scratch + 16).copyMemory(from: base + 12, byteCount: original.count &- 12)
            bytes = UnsafeRawBufferPointer(start: scratch, count: original.count &+ 4)
            dot1Q = true
        }
        guard bytes.count <= maximumLength &+ (dot1Q ? 4 : 0) else {
            counters.tooBig &+= 1
            return true
        }
        switch transmitter.send(bytes, on: socket, retries: .max) {
        case .sent:
            counters.frames &+= 1
            counters.bytes &+= UInt64(bytes.count)
            pendingBytes &+= UInt64(bytes.count)
            return true
        case .noRoom:
            abandon(.stalled(interface: socket.interfaceName, seconds: Int(stallNanoseconds / 1_000_000_000)))
            return false
        case .tooBig:
            counters.tooBig &+= 1
            return true
        case .linkDown:
            abandon(.linkDown(interface: socket.interfaceName))
            return false
        case .failed(let code):
            abandon(
                .sendFailed(
                    interface: socket.interfaceName, socket.hasTransmitRing ? Errno(rawValue: code) : .badFileDescriptor
                ))
            return false
        }
    }

    /// The EtherType (or TPID) right after the MACs.
    @inline(__always)
    private static func outerType(_ frame: UnsafeRawPointer) -> UInt16 {
        UInt16(bigEndian: frame.loadUnaligned(fromByteOffset: 12, as: UInt16.self))
    }

    /// An 802.1Q, 802.1ad or old QinQ TPID.
    @inline(__always)
    private static func isTagged(_ type: UInt16) -> Bool {
        type == 0x8100 || type == 0x88a8 || type == 0x9100
    }

    /// Kicks the TX ring. False (with ``failure`` set and the queued frames counted as send
    /// errors) when the kernel refused for a reason other than "no room".
    private mutating func flush() -> Bool {
        guard failure == nil else { return false }
        switch transmitter.flush(socket) {
        case .sent:
            if socket.pendingTransmitCount == 0 { pendingBytes = 0 }
            return true
        case .noRoom:
            return true
        case .linkDown:
            abandon(.linkDown(interface: socket.interfaceName))
        case .tooBig:
            abandon(.sendFailed(interface: socket.interfaceName, .messageTooLong))
        case .failed(let code):
            abandon(.sendFailed(interface: socket.interfaceName, Errno(rawValue: code)))
        }
        return false
    }

    /// How long the thread has been waiting for the TX ring to drain.
    private struct RoomWait {
        var started: UInt64 = 0
        var rounds = 0
    }

    /// Waits for the frames still queued to leave, for at most the stall time.
    private mutating func drain() {
        var wait = RoomWait()
        while failure == nil && socket.pendingTransmitCount > 0 {
            guard flush() else { return }
            guard socket.pendingTransmitCount > 0 else { return }
            let now = MonotonicClock.now()
            if wait.rounds == 0 {
                wait.started = now
            } else if now &- wait.started > stallNanoseconds {
                abandon(.stalled(interface: socket.interfaceName, seconds: Int(stallNanoseconds / 1_000_000_000)))
                return
            }
            wait.rounds &+= 1
            MonotonicClock.sleep(until: now &+ 1_000_000)
        }
    }

    /// Ends the thread's sending with `reason`: the frames still queued will not leave, so they
    /// count as send errors instead of frames sent.
    private mutating func abandon(_ reason: InjectionError) {
        let pending = UInt64(socket.pendingTransmitCount)
        counters.frames &-= min(pending, counters.frames)
        counters.bytes &-= min(pendingBytes, counters.bytes)
        counters.sendErrors &+= pending
        pendingBytes = 0
        failure = reason
    }

    /// Sleeps until `deadline` in slices of at most 50 ms, so a stop ends the wait. False when a
    /// stop was requested.
    private func sleep(until deadline: UInt64) -> Bool {
        while !stopRequested.isSet {
            let now = MonotonicClock.now()
            guard now < deadline else { return true }
            MonotonicClock.sleep(until: min(deadline, now &+ 50_000_000))
        }
        return false
    }
}

/// Set once by the main thread to end every transmit thread at its next batch.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)

    var isSet: Bool {
        @inline(__always) get { value.load(ordering: .relaxed) }
    }

    func set() {
        value.store(true, ordering: .relaxed)
    }
}
