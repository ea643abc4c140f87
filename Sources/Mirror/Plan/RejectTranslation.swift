import Answers

/// A `reject` verdict as the kernel's bridge `reject` statements (`NFT_REJECT_*`), for kernels
/// that have them (see ``KernelCapabilities/bridgeReject``).
///
/// Bridgekeeper's plain `reject` answers TCP with a reset and everything else with
/// port-unreachable; nft's plain `reject` sends port-unreachable to TCP too, so it becomes two
/// endings: `meta l4proto tcp ... reject with tcp reset`, then `reject with icmpx type
/// port-unreachable`. The other kinds answer one protocol and drop the rest, as Bridgekeeper does.
enum RejectTranslation {
    /// One ending: its condition, the reject (or drop) and their text.
    struct Variant {
        var conditions: [MatchStatement]
        var conditionWords: [String]
        var expressions: [NftExpression]
        var words: [String]
    }

    /// `NFT_REJECT_ICMP_UNREACH`, `NFT_REJECT_TCP_RST`, `NFT_REJECT_ICMPX_UNREACH`.
    static let icmpUnreachable: UInt32 = 0
    static let tcpReset: UInt32 = 1
    static let icmpxUnreachable: UInt32 = 2

    static func variants(_ answer: RejectKind) -> [Variant] {
        let tcp = MatchStatement([.meta(.l4proto), .compare(.equal, [6])])
        let drop = Variant(conditions: [], conditionWords: [], expressions: [.verdict(.drop)], words: ["drop"])
        switch answer {
        case .automatic:
            return [
                Variant(
                    conditions: [tcp], conditionWords: ["meta l4proto tcp"],
                    expressions: [.reject(type: tcpReset, code: 0)], words: ["reject with tcp reset"]),
                Variant(
                    conditions: [], conditionWords: [],
                    expressions: [.reject(type: icmpxUnreachable, code: ICMPxCode.portUnreachable.rawValue)],
                    words: ["reject with icmpx type port-unreachable"]),
            ]
        case .tcpReset:
            return [
                Variant(
                    conditions: [tcp], conditionWords: ["meta l4proto tcp"],
                    expressions: [.reject(type: tcpReset, code: 0)], words: ["reject with tcp reset"]), drop,
            ]
        case .icmp(let code):
            return [
                Variant(
                    conditions: [Dependency.etherType(0x0800).statement(afterVLANTag: false)],
                    conditionWords: ["meta protocol ip"], expressions: [.reject(type: icmpUnreachable, code: code)],
                    words: ["reject with icmp type \(name(code, RejectCodeNames.icmp))"]), drop,
            ]
        case .icmpv6(let code):
            return [
                Variant(
                    conditions: [Dependency.etherType(0x86dd).statement(afterVLANTag: false)],
                    conditionWords: ["meta protocol ip6"], expressions: [.reject(type: icmpUnreachable, code: code)],
                    words: ["reject with icmpv6 type \(name(code, RejectCodeNames.icmpv6))"]), drop,
            ]
        case .icmpx(let code):
            return [
                Variant(
                    conditions: [], conditionWords: [],
                    expressions: [.reject(type: icmpxUnreachable, code: code.rawValue)],
                    words: ["reject with icmpx type \(name(code.rawValue, RejectCodeNames.icmpx))"])
            ]
        }
    }

    /// The policy's words for the answer: `reject`, `reject with tcp reset`, ...
    static func text(_ answer: RejectKind) -> String {
        switch answer {
        case .automatic: return "reject"
        case .tcpReset: return "reject with tcp reset"
        case .icmp(let code): return "reject with icmp type \(name(code, RejectCodeNames.icmp))"
        case .icmpv6(let code): return "reject with icmpv6 type \(name(code, RejectCodeNames.icmpv6))"
        case .icmpx(let code): return "reject with icmpx type \(name(code.rawValue, RejectCodeNames.icmpx))"
        }
    }

    private static func name(_ code: UInt8, _ table: [RejectCodeName]) -> String {
        RejectCodeNames.name(of: code, in: table) ?? String(code)
    }
}
