import Answers
import Flow
import Limits

/// The terms, verdicts and settings that keep state: `limit`, `quota`, `reject` and the flow,
/// answer and meter settings in `defaults`.
extension Resolver {
    mutating func resolveLimit(_ syntax: SyntaxLimit) -> LimitMatch? {
        let rateText = syntax.rate.map(\.text).joined(separator: " ")
        let hint = "; write N/second (packets) or N bytes|kbytes|mbytes/second, with second, minute, hour, day or week"
        let rate: Rate
        switch AmountText.rate(syntax.rate.map { $0.text[...] }) {
        case .success(let value): rate = value
        case .failure(.notNumber(let text)):
            sink.error(.invalidValue, "'\(text)' is not a number" + hint, at: syntax.rate[0])
            return nil
        case .failure(.unknownTimeUnit(let text)):
            sink.error(
                .invalidValue,
                (text.isEmpty ? "'\(rateText)' has no time unit" : "unknown time unit '\(text)'") + hint,
                at: syntax.rate[syntax.rate.count - 1])
            return nil
        case .failure(.unknownByteUnit(let text)):
            sink.error(.invalidValue, "unknown byte unit '\(text)'" + hint, at: syntax.rate[1])
            return nil
        case .failure(.invalid(let error)):
            sink.error(.valueOutOfRange, "\(error)", at: syntax.rate[0])
            return nil
        }
        var burst: Burst?
        if let keyword = syntax.burstKeyword {
            guard let written = resolveBurst(syntax.burst, keyword: keyword, for: rate) else { return nil }
            burst = written
        }
        let limit: RateLimit
        do throws(LimitError) {
            limit = try RateLimit(rate: rate, burst: burst, over: syntax.over)
        } catch {
            sink.error(.valueOutOfRange, "\(error)", at: syntax.rate[0])
            return nil
        }
        guard let per = resolveMeterKey(syntax.per) else { return nil }
        return LimitMatch(limit: limit, per: per, location: syntax.keyword.location)
    }

    /// `burst N packets` (packet rates) or `burst N bytes|kbytes|mbytes` (byte rates).
    private mutating func resolveBurst(_ words: [Token], keyword: Token, for rate: Rate) -> Burst? {
        let shape = rate.measure == .bytes ? "burst N bytes|kbytes|mbytes" : "burst N packets"
        guard words.count == 2 else {
            sink.error(.invalidValue, "write the burst with its unit: \(shape)", at: words.first ?? keyword)
            return nil
        }
        switch AmountText.burst(words[0].text[...], unit: words[1].text[...]) {
        case .success(let burst):
            guard burst.measure == rate.measure else {
                let which =
                    rate.measure == .bytes ? "a byte rate's burst is in bytes" : "a packet rate's burst is in packets"
                sink.error(.invalidValue, "\(which): \(shape)", at: words[1])
                return nil
            }
            return burst
        case .failure(.notNumber(let text)):
            sink.error(.invalidValue, "'\(text)' is not a number; \(shape)", at: words[0])
        case .failure(.unknownByteUnit(let unit)), .failure(.unknownTimeUnit(let unit)):
            sink.error(.invalidValue, "unknown unit '\(unit)'; \(shape)", at: words[1])
        case .failure(.invalid(let error)):
            sink.error(.valueOutOfRange, "\(error)", at: words[0])
        }
        return nil
    }

    /// The fields after `per`, checked as a meter key.
    private mutating func resolveMeterKey(_ fields: [SyntaxField]) -> [MeterKeyField]? {
        var per: [MeterKeyField] = []
        for field in fields {
            guard let key = MeterKeyField(name: field.field.rawValue[...]) else {
                sink.error(
                    .invalidValue,
                    "a meter cannot be keyed by '\(field.field.rawValue)'; use "
                        + MeterKeyField.allCases.map(\.name).joined(separator: ", "),
                    at: field.location, length: field.length)
                return nil
            }
            guard !per.contains(key) else {
                sink.error(
                    .duplicateMatch, "'\(field.field.rawValue)' is already part of this meter's key",
                    at: field.location, length: field.length)
                return nil
            }
            per.append(key)
        }
        guard let first = fields.first else { return per }
        do throws(LimitError) {
            _ = try MeterKeySpec(per)
        } catch {
            sink.error(.invalidValue, "\(error)", at: first.location)
            return nil
        }
        return per
    }

    mutating func resolveQuota(_ syntax: SyntaxQuota) -> QuotaMatch? {
        switch AmountText.quota(syntax.amount.text[...], unit: syntax.unit.text[...]) {
        case .success(let amount):
            return QuotaMatch(amount: amount, mode: syntax.over ? .over : .until, location: syntax.keyword.location)
        case .failure(.unknownByteUnit(let unit)), .failure(.unknownTimeUnit(let unit)):
            sink.error(
                .invalidValue, "unknown unit '\(unit)'; a quota is in bytes, kbytes, mbytes or gbytes", at: syntax.unit)
        case .failure(.invalid(let error)):
            sink.error(.valueOutOfRange, "\(error)", at: syntax.amount)
        case .failure(.notNumber):
            sink.error(.invalidValue, "'\(syntax.amount.text)' is not a number", at: syntax.amount)
        }
        return nil
    }

    /// The answer after `reject with` (nothing after `reject`: the automatic answer).
    mutating func resolveRejectAnswer(_ syntax: SyntaxVerdict) -> RejectKind? {
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
        let table: [RejectCodeName]
        switch family.text {
        case "icmp": table = RejectCodeNames.icmp
        case "icmpv6": table = RejectCodeNames.icmpv6
        case "icmpx": table = RejectCodeNames.icmpx
        default:
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
        var code = RejectCodeNames.code(named: name.text[...], in: table)
        if code == nil, family.text != "icmpx", let number = AmountText.number(name.text[...]), number <= 255 {
            code = UInt8(number)
        }
        switch (family.text, code) {
        case ("icmp", let code?): return .icmp(code: code)
        case ("icmpv6", let code?): return .icmpv6(code: code)
        case (_, let code?):
            if let icmpx = ICMPxCode(rawValue: code) { return .icmpx(icmpx) }
        default: break
        }
        let names = table.map(\.name)
        sink.error(
            .invalidValue,
            "unknown \(family.text) reject type '\(name.text)'; one of " + names.joined(separator: ", ")
                + Suggestion.hint(for: name.text, among: names),
            at: name)
        return nil
    }

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
                state.flows.pickup = pickup
            case "flows-full":
                guard let word = singleWord(option), once(name, option.nameToken) else { continue }
                guard let choice = FlowsFullAction(rawValue: word.text) else {
                    sink.error(.invalidValue, "flows-full is drop or forward, not '\(word.text)'", at: word)
                    continue
                }
                state.flows.whenFull = choice
            case "answer-rate":
                guard once(name, option.nameToken) else { continue }
                resolveAnswerRate(option, into: &state)
            case "meter-size":
                guard let word = singleWord(option), once(name, option.nameToken) else { continue }
                guard let size = AmountText.number(word.text[...]),
                    (1...UInt64(MeterTable.maximumCapacity)).contains(size)
                else {
                    sink.error(
                        .valueOutOfRange, "meter-size is a number of buckets, 1 to \(MeterTable.maximumCapacity)",
                        at: word)
                    continue
                }
                state.meterSize = Int(size)
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
        guard let name = FlowTimeoutName(rawValue: nameToken.text) else {
            let known = FlowTimeoutName.allCases.map(\.rawValue)
            sink.error(
                .invalidOption,
                "unknown flow timeout '\(nameToken.text)'; one of " + known.joined(separator: ", ")
                    + Suggestion.hint(for: nameToken.text, among: known),
                at: nameToken)
            return
        }
        guard once(nameToken.text, nameToken) else { return }
        let range = "(1s to \(DurationText.format(FlowTimeouts.maximum)))"
        switch DurationText.parseChecked(valueToken.text[...]) {
        case .success(let nanoseconds) where nanoseconds >= 1_000_000_000:
            do throws(FlowSettingsError) {
                try state.flows.timeouts.set(name, to: nanoseconds)
            } catch {
                sink.error(.valueOutOfRange, "flow timeout \(valueToken.text) is out of range \(range)", at: valueToken)
            }
        case .success, .failure(.tooLarge):
            sink.error(.valueOutOfRange, "flow timeout \(valueToken.text) is out of range \(range)", at: valueToken)
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
        guard case .success(let rate) = AmountText.rate([first.text[...]]), rate.measure == .packets else {
            sink.error(
                .invalidValue, "'\(first.text)' is not a packet rate; write N/second, N/minute, N/hour or N/day",
                at: first)
            return
        }
        let rest = Array(option.words.dropFirst())
        var burst = Burst.defaultPackets
        if !rest.isEmpty {
            guard rest.count == 3, rest[0].text == "burst", rest[2].text == "packets",
                case .success(let written) = AmountText.burst(rest[1].text[...], unit: "packets")
            else {
                sink.error(.invalidOption, "after the answer rate, write burst N packets", at: rest[0])
                return
            }
            burst = written.amount
        }
        do throws(LimitError) {
            state.answerRate = try RateLimit(rate: rate, burst: Burst(packets: UInt64(burst)))
        } catch {
            sink.error(.valueOutOfRange, "\(error)", at: first)
        }
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
