import Answers
import Limits
import Mirror
import Policy

/// A policy with every stateful term and answer the mirror handles (limits, meters, quotas,
/// `ct state`/`ct direction`, rejects), for the tests that compare with `nft`.
enum StatefulPolicy {
    static func limit(
        _ rate: UInt64, per unit: TimeUnit = .second, bytes: ByteUnit? = nil, burst: UInt64? = nil, over: Bool = false,
        key: [MeterKeyField] = []
    ) -> MatchTerm {
        do {
            let rate = try bytes.map { try Rate(rate, $0, per: unit) } ?? Rate(packets: rate, per: unit)
            let burst = try burst.map { try bytes == nil ? Burst(packets: $0) : Burst($0, .bytes) }
            return .limit(
                LimitMatch(limit: try RateLimit(rate: rate, burst: burst, over: over), per: key, location: P.at(1, 5)))
        } catch {
            preconditionFailure("a test's limit must be valid: \(error)")
        }
    }

    static func quota(_ count: UInt64, _ unit: ByteUnit, over: Bool) -> MatchTerm {
        do {
            return .quota(
                QuotaMatch(amount: try QuotaAmount(count, unit), mode: over ? .over : .until, location: P.at(1, 5)))
        } catch {
            preconditionFailure("a test's quota must be valid: \(error)")
        }
    }

    static func ct(_ states: UInt128..., negated: Bool = false) -> MatchTerm {
        P.fieldValues(.ctState, states.map { P.value($0) }, negated: negated)
    }

    static func reject(_ name: String, _ match: [MatchTerm], _ answer: RejectKind) -> Rule {
        Rule(
            name: name, match: match, verdict: Verdict(kind: .reject, answer: answer, location: P.at(2)),
            location: P.at(1))
    }

    static var policy: Policy {
        let rules = [
            P.rule("established", [ct(2, 4)], [], .forward),
            P.rule("invalid", [ct(1)]),
            P.rule(
                "reply-only", [P.fieldValues(.ctDirection, [P.value(1)]), P.field(.udpDport, P.value(53))], [], .forward
            ),
            P.rule("not-new", [ct(8, negated: true), P.field(.tcpDport, P.value(22))]),
            P.rule("ping-flood", [P.field(.icmpType, P.value(8)), limit(10, burst: 5, over: true)]),
            P.rule("bulk", [P.field(.tcpDport, P.value(873)), limit(10, bytes: .mbytes, over: true)]),
            P.rule("per-source", [P.field(.tcpDport, P.value(80)), limit(20, over: true, key: [.ipSource])]),
            P.rule(
                "per-port", [limit(3, per: .minute, burst: 2, key: [.ipSource, .tcpDestinationPort])], [], .forward),
            P.rule("per-mac", [limit(100, over: true, key: [.etherSource])]),
            P.rule("per-vlan", [P.field(.ipSaddr, P.v4("198.18.0.0/15")), limit(1000, over: true, key: [.vlanID])]),
            P.rule("cap", [P.field(.udpDport, P.value(5000)), quota(100, .mbytes, over: true)]),
            P.rule("allowance", [P.field(.udpDport, P.value(5001)), quota(2000, .bytes, over: false)], [], .forward),
            P.rule("new-from-b", [P.field(.iif, P.value(1)), ct(8)], [], .forward),
            reject("refuse-ssh", [P.field(.tcpDport, P.value(2222))], .tcpReset),
            reject("refuse", [P.field(.udpDport, P.value(7))], .automatic),
        ]
        return P.policy(rules, default: .drop)
    }
}
