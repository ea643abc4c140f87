/// The terms, verdicts and settings that keep state: `limit`, `quota`, `reject` and the flow,
/// answer and meter settings in `defaults`.
extension Resolver {
    /// Fields a meter (`limit ... per`) may be keyed by.
    static let meterKeyFields: [Field] = [
        .ipSaddr, .ipDaddr, .ip6Saddr, .ip6Daddr, .etherSaddr, .etherDaddr, .tcpSport, .tcpDport, .udpSport,
        .udpDport, .metaL4proto, .vlanID, .iif,
    ]

    mutating func resolveLimit(_ syntax: SyntaxLimit) -> LimitMatch? {
        let rateText = syntax.rate.map(\.text).joined(separator: " ")
        let rate: Rate
        switch AmountText.rate(syntax.rate.map { $0.text[...] }) {
        case .success(let value): rate = value
        case .failure(let failure):
            let hint = "; write N/second (packets) or N bytes|kbytes|mbytes/second, with second, minute, hour or day"
            switch failure {
            case .zero: sink.error(.valueOutOfRange, "a limit's rate must be above zero", at: syntax.rate[0])
            case .tooLarge: sink.error(.valueOutOfRange, "rate \(rateText) is too large", at: syntax.rate[0])
            case .notNumber(let text):
                sink.error(.invalidValue, "'\(text)' is not a number" + hint, at: syntax.rate[0])
            case .unknownTimeUnit(let text):
                sink.error(
                    .invalidValue,
                    (text.isEmpty ? "'\(rateText)' has no time unit" : "unknown time unit '\(text)'") + hint,
                    at: syntax.rate[syntax.rate.count - 1])
            case .unknownByteUnit(let text):
                sink.error(.invalidValue, "unknown byte unit '\(text)'" + hint, at: syntax.rate[1])
            }
            return nil
        }
        var burst: UInt64?
        if let keyword = syntax.burstKeyword {
            guard let value = resolveBurst(syntax.burst, keyword: keyword, bytes: rate.countsBytes) else { return nil }
            burst = value
        }
        var per: [Field] = []
        for field in syntax.per {
            guard Resolver.meterKeyFields.contains(field.field) else {
                sink.error(
                    .invalidValue,
                    "a meter cannot be keyed by '\(field.field.rawValue)'; use "
                        + Resolver.meterKeyFields.map(\.rawValue).joined(separator: ", "),
                    at: field.location, length: field.length)
                return nil
            }
            guard !per.contains(field.field) else {
                sink.error(
                    .duplicateMatch, "'\(field.field.rawValue)' is already part of this meter's key",
                    at: field.location, length: field.length)
                return nil
            }
            per.append(field.field)
        }
        if per.count > 4 || per.filter({ $0.bitWidth > 64 }).count > 2 {
            sink.error(
                .invalidValue, "a meter's key holds at most four fields, two of them IPv6 addresses",
                at: syntax.per[0].location)
            return nil
        }
        return LimitMatch(rate: rate, burst: burst, over: syntax.over, per: per, location: syntax.keyword.location)
    }

    /// `burst N packets` (packet rates) or `burst N bytes|kbytes|mbytes` (byte rates).
    private mutating func resolveBurst(_ words: [Token], keyword: Token, bytes: Bool) -> UInt64? {
        let shape = bytes ? "burst N bytes|kbytes|mbytes" : "burst N packets"
        guard words.count == 2 else {
            sink.error(.invalidValue, "write the burst with its unit: \(shape)", at: words.first ?? keyword)
            return nil
        }
        let result: Result<UInt64, AmountText.Failure>
        if words[1].text == "packets" {
            guard !bytes else {
                sink.error(
                    .invalidValue, "a byte rate's burst is in bytes: \(shape)", at: words[1])
                return nil
            }
            result = AmountText.count(words[0].text[...])
        } else {
            guard bytes else {
                sink.error(
                    .invalidValue, "a packet rate's burst is in packets: \(shape)", at: words[1])
                return nil
            }
            result = AmountText.bytes(words[0].text[...], unit: words[1].text[...])
        }
        switch result {
        case .success(let value) where value <= UInt64(UInt32.max):
            return value
        case .success, .failure(.tooLarge):
            sink.error(.valueOutOfRange, "burst \(words[0].text) \(words[1].text) is too large", at: words[0])
        case .failure(.zero):
            sink.error(.valueOutOfRange, "a burst must be above zero", at: words[0])
        case .failure(.unknownByteUnit(let unit)):
            sink.error(.invalidValue, "unknown unit '\(unit)'; \(shape)", at: words[1])
        case .failure:
            sink.error(.invalidValue, "'\(words[0].text)' is not a number; \(shape)", at: words[0])
        }
        return nil
    }

    mutating func resolveQuota(_ syntax: SyntaxQuota) -> QuotaMatch? {
        switch AmountText.bytes(syntax.amount.text[...], unit: syntax.unit.text[...]) {
        case .success(let bytes):
            return QuotaMatch(bytes: bytes, over: syntax.over, location: syntax.keyword.location)
        case .failure(.unknownByteUnit(let unit)):
            sink.error(
                .invalidValue, "unknown unit '\(unit)'; a quota is in bytes, kbytes, mbytes or gbytes", at: syntax.unit)
        case .failure(.tooLarge):
            sink.error(
                .valueOutOfRange, "quota \(syntax.amount.text) \(syntax.unit.text) is too large", at: syntax.amount)
        case .failure(.zero):
            sink.error(.valueOutOfRange, "a quota must be above zero", at: syntax.amount)
        case .failure:
            sink.error(.invalidValue, "'\(syntax.amount.text)' is not a number", at: syntax.amount)
        }
        return nil
    }

    /// The answer after `reject with` (nothing after `reject`: the automatic answer).
    mutating func resolveRejectAnswer(_ syntax: SyntaxVerdict) -> RejectAnswer? {
        let words = syntax.rejectWith
        guard let with = syntax.withKeyword else { return .automatic }
        let usage = "write reject with tcp reset, or reject with icmp|icmpv6|icmpx type NAME"
        guard let family = words.first else {
            sink.error(.invalidOption, "expected what to answer with after 'with'; \(usage)", at: with)
            return nil
        }
        if family.text == "tcp" {
            guard words.count == 2, words[1].text == "reset" else {
                sink.error(
                    .invalidOption, "expected 'reset' after 'reject with tcp'", at: words.count > 1 ? words[1] : family)
                return nil
            }
            return .tcpReset
        }
        guard ["icmp", "icmpv6", "icmpx"].contains(family.text) else {
            sink.error(
                .invalidOption,
                "unknown answer '\(family.text)'; \(usage)"
                    + Suggestion.hint(for: family.text, among: ["tcp", "icmp", "icmpv6", "icmpx"]),
                at: family)
            return nil
        }
        // `icmp type NAME` as nft writes it; `icmp NAME` as newer nft also accepts.
        var rest = words.dropFirst()
        if rest.first?.text == "type" { rest = rest.dropFirst() }
        guard rest.count == 1, let name = rest.first else {
            sink.error(
                .invalidOption, "expected one reason after 'reject with \(family.text) type'; \(usage)",
                at: rest.dropFirst().first ?? family)
            return nil
        }
        switch family.text {
        case "icmp":
            guard let code = Resolver.code(name.text, in: NamedValues.icmpRejectCodes) else { break }
            return .icmp(code: code)
        case "icmpv6":
            guard let code = Resolver.code(name.text, in: NamedValues.icmpv6RejectCodes) else { break }
            return .icmpv6(code: code)
        default:
            guard let reason = IcmpxReason(rawValue: name.text) else { break }
            return .icmpx(reason)
        }
        let names: [String]
        switch family.text {
        case "icmp": names = NamedValues.icmpRejectCodes.map(\.0)
        case "icmpv6": names = NamedValues.icmpv6RejectCodes.map(\.0)
        default: names = IcmpxReason.allCases.map(\.rawValue)
        }
        sink.error(
            .invalidValue,
            "unknown \(family.text) reject type '\(name.text)'; one of " + names.joined(separator: ", ")
                + Suggestion.hint(for: name.text, among: names),
            at: name)
        return nil
    }

    /// A code by name, or a number 0-255.
    private static func code(_ text: String, in names: [(String, UInt8)]) -> UInt8? {
        if let named = names.first(where: { $0.0 == text }) { return named.1 }
        if case .value(let number) = LiteralParser.number(text[...]), number <= 255 { return UInt8(number) }
        return nil
    }

    /// Longest flow timeout: 30 days. Shortest: 1 second.
    static let flowTimeoutRange: ClosedRange<UInt64> = 1_000_000_000...2_592_000_000_000_000

    /// The flow, answer and meter settings of `defaults { ... }`.
    mutating func resolveStateDefaults(_ options: [SyntaxStateOption]) -> StateDefaults {
        var state = StateDefaults()
        var seen: [String: Token] = [:]
        let sink = self.sink
        func once(_ name: String, _ token: Token) -> Bool {
            if let first = seen[name] {
                sink.error(.invalidOption, "'\(name)' is given twice (first at line \(first.location.line))", at: token)
                return false
            }
            seen[name] = token
            return true
        }
        for option in options {
            let name = option.nameToken.text
            switch name {
            case "flow-timeout":
                guard !option.words.isEmpty, option.words.count % 2 == 0 else {
                    sink.error(
                        .invalidOption, "write flow-timeout NAME DURATION, as in flow-timeout tcp-established 2h",
                        at: option.words.last ?? option.nameToken)
                    continue
                }
                for pair in stride(from: 0, to: option.words.count, by: 2) {
                    setTimeout(option.words[pair], option.words[pair + 1], into: &state, once: once)
                }
            case "flow-pickup":
                guard let word = singleWord(option), once(name, option.nameToken) else { continue }
                guard let pickup = FlowPickup(rawValue: word.text) else {
                    sink.error(.invalidValue, "flow-pickup is loose or strict, not '\(word.text)'", at: word)
                    continue
                }
                state.flowPickup = pickup
            case "flows-full":
                guard let word = singleWord(option), once(name, option.nameToken) else { continue }
                guard let choice = FlowsFull(rawValue: word.text) else {
                    sink.error(.invalidValue, "flows-full is drop or forward, not '\(word.text)'", at: word)
                    continue
                }
                state.flowsFull = choice
            case "answer-rate":
                guard once(name, option.nameToken) else { continue }
                resolveAnswerRate(option, into: &state)
            case "meter-size":
                guard let word = singleWord(option), once(name, option.nameToken) else { continue }
                switch AmountText.count(word.text[...]) {
                case .success(let size) where size <= 16_777_216:
                    state.meterSize = Int(size)
                default:
                    sink.error(.valueOutOfRange, "meter-size is a number of buckets, 1 to 16777216", at: word)
                }
            default:
                guard let value = option.words.first, option.words.count == 1 else {
                    sink.error(
                        .invalidOption, "write \(name) DURATION, as in \(name) 30s",
                        at: option.words.dropFirst().first ?? option.nameToken)
                    continue
                }
                setTimeout(option.nameToken, value, into: &state, once: once)
            }
        }
        return state
    }

    /// One `NAME DURATION` of the flow timeouts (`tcp-closing` sets the closing states).
    private mutating func setTimeout(
        _ nameToken: Token, _ valueToken: Token, into state: inout StateDefaults, once: (String, Token) -> Bool
    ) {
        let names: [FlowTimeoutName]
        if nameToken.text == "tcp-closing" {
            names = FlowTimeoutName.closing
        } else if let name = FlowTimeoutName(rawValue: nameToken.text) {
            names = [name]
        } else {
            let known = FlowTimeoutName.allCases.map(\.rawValue) + ["tcp-closing"]
            sink.error(
                .invalidOption,
                "unknown flow timeout '\(nameToken.text)'; one of " + known.joined(separator: ", ")
                    + Suggestion.hint(for: nameToken.text, among: known),
                at: nameToken)
            return
        }
        guard once(nameToken.text, nameToken) else { return }
        switch DurationText.parseChecked(valueToken.text[...]) {
        case .success(let nanoseconds) where Resolver.flowTimeoutRange.contains(nanoseconds):
            for name in names { state.flowTimeouts[name] = nanoseconds }
        case .success, .failure(.tooLarge):
            sink.error(.valueOutOfRange, "flow timeout \(valueToken.text) is out of range (1s to 30d)", at: valueToken)
        case .failure:
            sink.error(
                .invalidValue, "'\(valueToken.text)' is not a duration; write it with a unit, as in 30s, 10m, 2h or 5d",
                at: valueToken)
        }
    }

    /// `answer-rate N/UNIT [burst N packets]`.
    private mutating func resolveAnswerRate(_ option: SyntaxStateOption, into state: inout StateDefaults) {
        guard let first = option.words.first else {
            sink.error(.invalidOption, "write answer-rate N/second, as in answer-rate 200/second", at: option.nameToken)
            return
        }
        switch AmountText.rate([first.text[...]]) {
        case .success(let rate):
            state.answerRate = rate
        case .failure:
            sink.error(
                .invalidValue, "'\(first.text)' is not a packet rate; write N/second, N/minute, N/hour or N/day",
                at: first)
            return
        }
        let rest = Array(option.words.dropFirst())
        guard !rest.isEmpty else { return }
        guard rest.count == 3, rest[0].text == "burst", rest[2].text == "packets",
            case .success(let burst) = AmountText.count(rest[1].text[...]), burst <= UInt64(UInt32.max)
        else {
            sink.error(.invalidOption, "after the answer rate, write burst N packets", at: rest[0])
            return
        }
        state.answerBurst = burst
    }

    /// The one word after an option's name.
    private mutating func singleWord(_ option: SyntaxStateOption) -> Token? {
        guard option.words.count == 1, let word = option.words.first else {
            sink.error(
                .invalidOption, "'\(option.nameToken.text)' takes one value",
                at: option.words.dropFirst().first ?? option.nameToken)
            return nil
        }
        return word
    }
}
