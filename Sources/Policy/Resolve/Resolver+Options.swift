/// Verdicts and their options: `delay`, `jitter`, `retries`, and the `defaults` block.
extension Resolver {
    /// Longest delay a verdict may hold a frame for.
    static let maximumDelay: UInt64 = 10_000_000_000
    /// Most retries a verdict may ask for.
    static let maximumRetries = 100

    /// Options with the token each was written at.
    struct WrittenOptions {
        var options = VerdictOptions()
        var tokens: [SyntaxOption.Name: Token] = [:]
    }

    /// Parses each option's value; reports repeats, bad values and values out of range.
    private mutating func parseOptions(_ list: [SyntaxOption]) -> WrittenOptions {
        var written = WrittenOptions()
        for option in list {
            let name = option.name.rawValue
            if written.tokens[option.name] != nil {
                sink.error(.invalidOption, "'\(name)' is given twice", at: option.nameToken)
                continue
            }
            written.tokens[option.name] = option.nameToken
            guard let word = values.word(option.value, what: "'\(name)'") else { continue }
            switch option.name {
            case .delay, .jitter:
                switch DurationText.parseChecked(word.text) {
                case .success(let nanoseconds) where nanoseconds <= Resolver.maximumDelay:
                    if option.name == .delay {
                        written.options.delay = nanoseconds
                    } else {
                        written.options.jitter = nanoseconds
                    }
                case .success, .failure(.tooLarge):
                    sink.error(
                        .valueOutOfRange, "\(name) \(word.text) is out of range (at most 10s)" + word.suffix,
                        at: word.report)
                case .failure(.finerThanNanosecond):
                    sink.error(
                        .invalidValue, "\(name) \(word.text) is finer than a nanosecond" + word.suffix, at: word.report)
                case .failure(.notDuration):
                    sink.error(
                        .invalidValue,
                        "'\(word.text)' is not a duration; write it with a unit, as in 25ms, 100us or 1s" + word.suffix,
                        at: word.report)
                }
            case .retries:
                switch LiteralParser.number(word.text) {
                case .value(let count) where count <= UInt128(Resolver.maximumRetries):
                    written.options.retries = Int(count)
                case .value, .overflow:
                    sink.error(
                        .valueOutOfRange, "retries \(word.text) is out of range (0-100)" + word.suffix, at: word.report)
                case .notNumber:
                    sink.error(
                        .invalidValue, "retries takes a number, not '\(word.text)'" + word.suffix, at: word.report)
                }
            }
        }
        return written
    }

    /// `defaults { ... }`: the options every forwarding verdict falls back to.
    mutating func resolveDefaults(_ syntax: SyntaxDefaults) -> VerdictOptions {
        let written = parseOptions(syntax.options)
        let options = written.options
        if let jitter = options.jitter, let token = written.tokens[.jitter] {
            if let delay = options.delay {
                if jitter > delay {
                    sink.error(
                        .valueOutOfRange,
                        "jitter \(DurationText.format(jitter)) is larger than delay \(DurationText.format(delay))",
                        at: token)
                }
            } else {
                sink.error(.invalidOption, "jitter needs a delay: defaults { delay D; jitter J; }", at: token)
            }
        }
        return options
    }

    /// The verdict with the options written on it (defaults are filled in by the compiler).
    mutating func resolveVerdict(_ syntax: SyntaxVerdict) -> Verdict? {
        let errorsBefore = sink.errorCount
        if syntax.kind == .reject {
            guard let answer = resolveRejectAnswer(syntax) else { return nil }
            return Verdict(kind: .reject, answer: answer, location: syntax.keyword.location)
        }
        if !syntax.kind.forwards, let first = syntax.options.first {
            let takes =
                syntax.kind == .reflect
                ? "'reflect' takes no options; 'reflect forward' takes delay, jitter and retries"
                : "'drop' takes no options"
            sink.error(.invalidOption, takes, at: first.nameToken)
            return nil
        }
        let written = parseOptions(syntax.options)
        let filled = written.options.filled(from: defaults)
        if let jitter = filled.jitter {
            if let delay = filled.delay {
                if jitter > delay, let token = written.tokens[.jitter] ?? written.tokens[.delay] {
                    let origin = written.tokens[.jitter] == nil ? " (from defaults)" : ""
                    let delayOrigin = written.tokens[.delay] == nil ? " (from defaults)" : ""
                    sink.error(
                        .valueOutOfRange,
                        "jitter \(DurationText.format(jitter))\(origin) is larger than delay "
                            + "\(DurationText.format(delay))\(delayOrigin)",
                        at: token)
                }
            } else if let token = written.tokens[.jitter] {
                sink.error(
                    .invalidOption, "jitter needs a delay: \(syntax.kind.rawValue) delay D jitter J", at: token)
            }
        }
        guard sink.errorCount == errorsBefore else { return nil }
        return Verdict(kind: syntax.kind, options: written.options, location: syntax.keyword.location)
    }
}
