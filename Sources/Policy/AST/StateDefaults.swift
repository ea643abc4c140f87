import Flow
import Limits

/// The `defaults { ... }` settings for state the bridge keeps: the flow table's timeouts, pickup
/// and what happens when it is full (``Flow/FlowSettings``), the answer rate of `reject`, and the
/// meters' size.
public struct StateDefaults: Sendable, Hashable {
    /// Timeouts (`flow-timeout NAME D`), `flow-pickup` and `flows-full`; nf_conntrack's
    /// defaults where the policy says nothing.
    public var flows: FlowSettings
    /// `answer-rate N/UNIT [burst N packets]`: how many answers `reject` may send.
    public var answerRate: RateLimit
    /// `meter-size N`: buckets in each `limit ... per` meter.
    public var meterSize: Int

    public init(
        flows: FlowSettings = FlowSettings(), answerRate: RateLimit = StateDefaults.defaultAnswerRate,
        meterSize: Int = StateDefaults.defaultMeterSize
    ) {
        self.flows = flows
        self.answerRate = answerRate
        self.meterSize = meterSize
    }

    /// The built-in answer rate: 200 a second, bursts of 50.
    public static let defaultAnswerRate: RateLimit = {
        do {
            return try RateLimit(rate: Rate(packets: 200, per: .second), burst: Burst(packets: 50))
        } catch {
            preconditionFailure("200/second burst 50 packets is a valid limit: \(error)")
        }
    }()
    /// The built-in meter size.
    public static let defaultMeterSize = 65_536
}
