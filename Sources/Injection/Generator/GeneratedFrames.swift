import Frame

/// One thread's generated frames: the template in a scratch buffer, its varying fields patched
/// in place before each frame with ``FrameBuffer/apply(_:info:)`` (incremental checksums).
///
/// Thread `t` of `n` sends frames `t`, `t + n`, ... of the sequence ``GeneratorSpec`` describes,
/// so all threads together send the same frames one thread would, in a different order.
public struct GeneratedFrames: FrameSource {
    private let storage: FrameStorage
    private var buffer: FrameBuffer
    private var info: FrameInfo
    private var source: FieldCursor
    private var destination: FieldCursor
    private var sourcePort: FieldCursor
    private var destinationPort: FieldCursor
    private var remaining: UInt64
    private let unlimited: Bool

    /// This thread's share of `total` frames (0: until stopped) of `spec`.
    public init(spec: GeneratorSpec, share: ThreadShare, total: UInt64) {
        let template = spec.template()
        storage = FrameStorage(template)
        buffer = FrameBuffer(storage: storage.pointer, capacity: template.count, start: 0, length: template.count)
        info = FrameInfo.parse(buffer.readOnlyBytes)
        let family: (source: FieldCursor.Kind, destination: FieldCursor.Kind) =
            spec.ipv6 ? (.ipv6Source, .ipv6Destination) : (.ipv4Source, .ipv4Destination)
        let ports: (source: FieldCursor.Kind, destination: FieldCursor.Kind) =
            spec.transport == .tcp ? (.tcpSource, .tcpDestination) : (.udpSource, .udpDestination)
        source = FieldCursor(family.source, spec.sources, share)
        destination = FieldCursor(family.destination, spec.destinations, share)
        sourcePort = FieldCursor(ports.source, spec.sourcePorts, share)
        destinationPort = FieldCursor(ports.destination, spec.destinationPorts, share)
        unlimited = total == 0
        remaining = share.count(of: total)
    }

    /// Always nil: generation cannot fail.
    public var failure: InjectionError? { nil }

    public mutating func next() -> SourceFrame? {
        if !unlimited {
            guard remaining > 0 else { return nil }
            remaining &-= 1
        }
        if source.varies { Self.patch(&buffer, &info, &source) }
        if destination.varies { Self.patch(&buffer, &info, &destination) }
        if sourcePort.varies { Self.patch(&buffer, &info, &sourcePort) }
        if destinationPort.varies { Self.patch(&buffer, &info, &destinationPort) }
        return SourceFrame(bytes: buffer.readOnlyBytes)
    }

    /// Sets the cursor's field to its current value (checksums adjusted) and moves it on.
    @inline(__always)
    private static func patch(_ buffer: inout FrameBuffer, _ info: inout FrameInfo, _ cursor: inout FieldCursor) {
        _ = buffer.apply(cursor.rewrite, info: &info)
        cursor.advance()
    }
}

/// One field's place in its range.
struct FieldCursor {
    enum Kind {
        case ipv4Source, ipv4Destination, ipv6Source, ipv6Destination
        case udpSource, udpDestination, tcpSource, tcpDestination
    }

    let kind: Kind
    let lower: UInt128
    let count: UInt64
    let step: UInt64
    var index: UInt64

    init(_ kind: Kind, _ range: FieldRange, _ share: ThreadShare) {
        self.kind = kind
        lower = range.lower
        count = range.count
        step = UInt64(share.threads) % count
        index = UInt64(share.thread) % count
    }

    /// More than one value: the field needs patching frame by frame.
    var varies: Bool { count > 1 }

    /// The rewrite that sets the field to its current value.
    @inline(__always)
    var rewrite: FieldRewrite {
        let value = lower &+ UInt128(index)
        switch kind {
        case .ipv4Source: return .ipv4Source(UInt32(truncatingIfNeeded: value))
        case .ipv4Destination: return .ipv4Destination(UInt32(truncatingIfNeeded: value))
        case .ipv6Source: return .ipv6Source(value)
        case .ipv6Destination: return .ipv6Destination(value)
        case .udpSource: return .udpSourcePort(UInt16(truncatingIfNeeded: value))
        case .udpDestination: return .udpDestinationPort(UInt16(truncatingIfNeeded: value))
        case .tcpSource: return .tcpSourcePort(UInt16(truncatingIfNeeded: value))
        case .tcpDestination: return .tcpDestinationPort(UInt16(truncatingIfNeeded: value))
        }
    }

    @inline(__always)
    mutating func advance() {
        index &+= step
        if index >= count { index &-= count }
    }
}

/// Memory holding one frame, freed with its owner.
final class FrameStorage: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer

    init(_ bytes: [UInt8]) {
        pointer = .allocate(byteCount: max(1, bytes.count), alignment: 64)
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { pointer.copyMemory(from: base, byteCount: source.count) }
        }
    }

    deinit {
        pointer.deallocate()
    }
}
