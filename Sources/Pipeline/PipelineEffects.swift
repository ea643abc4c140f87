import Flow
import Frame

/// The side effects of `log`, `pcap` and `mirror` statements, run in statement order.
///
/// The pipeline is generic over its effects (specialised, never an existential): the forwarding
/// loop logs and captures for real, `replay` writes capture files, `check`'s test blocks use
/// ``NoEffects``. Only frames that match a rule with such statements reach these calls.
///
/// Effects also hear of flows that become established or end (``Flow/FlowEventSink``); the
/// default is to ignore them.
public protocol PipelineEffects: FlowEventSink {
    /// A `log` statement ran: `prefix` indexes `CompiledPolicy.logPrefixes`.
    mutating func log(rule: Int32, prefix: Int32, frame: UnsafeRawBufferPointer, info: FrameInfo, port: UInt8)
    /// A `pcap` statement ran: append `frame` (as it is at that point) to capture file `file`.
    mutating func capture(file: Int32, frame: UnsafeRawBufferPointer)
    /// A `mirror` statement ran: send a copy of the frame as received out of monitor `interface`.
    mutating func mirror(interface: Int32, frame: UnsafeRawBufferPointer)
}

/// Effects that do nothing.
public struct NoEffects: PipelineEffects {
    public init() {}
    @inlinable
    public mutating func log(rule: Int32, prefix: Int32, frame: UnsafeRawBufferPointer, info: FrameInfo, port: UInt8) {}
    @inlinable
    public mutating func capture(file: Int32, frame: UnsafeRawBufferPointer) {}
    @inlinable
    public mutating func mirror(interface: Int32, frame: UnsafeRawBufferPointer) {}
}

extension PipelineEffects {
    /// Flow events are ignored unless the effects say otherwise.
    @inlinable
    public mutating func flowEstablished(_ event: FlowEvent) {}
    @inlinable
    public mutating func flowEnded(_ event: FlowEvent, reason: FlowEndReason) {}
}
