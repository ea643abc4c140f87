import Frame

/// Why a literal is not a value of the field it is used with.
struct ValueError: Error, Equatable {
    var code: DiagnosticCode
    var message: String
}

/// Reads the words of a policy as values of a given field: numbers (decimal or `0x` hex), the
/// field's named values, MAC/IPv4/IPv6 addresses, prefixes `x/len` and ranges `a-b`.
enum LiteralParser {
    enum Number: Equatable {
        case value(UInt128)
        /// Digits, but more than 128 bits.
        case overflow
        case notNumber
    }

    /// Decimal or `0x` hex digits.
    static func number(_ text: Substring) -> Number {
        var digits = text
        var radix: UInt128 = 10
        if text.hasPrefix("0x") || text.hasPrefix("0X") {
            digits = text.dropFirst(2)
            radix = 16
        }
        guard !digits.isEmpty else { return .notNumber }
        var value: UInt128 = 0
        var overflowed = false
        for ch in digits.utf8 {
            let digit: UInt128
            switch ch {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt128(ch - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f") where radix == 16: digit = UInt128(ch - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F") where radix == 16: digit = UInt128(ch - UInt8(ascii: "A") + 10)
            default: return .notNumber
            }
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: radix)
            let (sum, overflow2) = shifted.addingReportingOverflow(digit)
            if overflow1 || overflow2 { overflowed = true }
            value = sum
        }
        return overflowed ? .overflow : .value(value)
    }

    /// What a word looks like, for "wrong kind" messages; nil when it looks like nothing known.
    /// The two ends of a range are single values (`withRanges: false`), so each dash is tried
    /// once: trying ranges inside ranges took time exponential in the number of dashes.
    static func describe(_ text: Substring, withRanges: Bool = true) -> String? {
        if number(text) != .notNumber { return "a number" }
        if AddressText.parseIPv4(text) != nil { return "an IPv4 address" }
        if AddressText.parseIPv6(text) != nil { return "an IPv6 address" }
        if AddressText.parseMAC(text) != nil { return "a MAC address" }
        if let slash = text.lastIndex(of: "/") {
            let address = text[..<slash]
            if AddressText.parseIPv4(address) != nil { return "an IPv4 prefix" }
            if AddressText.parseIPv6(address) != nil { return "an IPv6 prefix" }
            if AddressText.parseMAC(address) != nil { return "a MAC prefix" }
        }
        for dash in text.indices where withRanges && text[dash] == "-" {
            let left = text[..<dash]
            let right = text[text.index(after: dash)...]
            if let kind = describe(left, withRanges: false), describe(right, withRanges: false) == kind {
                return kind.droppingNoun() + " range"
            }
        }
        if DurationText.parse(text) != nil { return "a duration" }
        return nil
    }

    /// What values of `field` are, for messages.
    static func kindDescription(_ field: Field) -> String {
        switch field.valueKind {
        case .port: return "a port name (a or b)"
        case .mac: return "MAC addresses"
        case .ipv4: return "IPv4 addresses"
        case .ipv6: return "IPv6 addresses"
        case .integer: return "numbers"
        }
    }

    static func outOfRange(_ text: Substring, _ field: Field) -> ValueError {
        ValueError(
            code: .valueOutOfRange,
            message: "value \(text) is out of range for \(field.rawValue) (0-\(field.maxValue))")
    }

    /// One value of `field`.
    static func single(_ text: Substring, for field: Field) -> Result<UInt128, ValueError> {
        if let named = NamedValues.value(of: text, for: field) { return .success(named) }
        switch field.valueKind {
        case .port:
            return .failure(
                ValueError(code: .wrongValueKind, message: "iif takes a port name, a or b, not '\(text)'"))
        case .mac:
            if let mac = AddressText.parseMAC(text) { return .success(UInt128(mac)) }
        case .ipv4:
            if let address = AddressText.parseIPv4(text) { return .success(UInt128(address)) }
        case .ipv6:
            if let address = AddressText.parseIPv6(text) { return .success(address) }
        case .integer:
            switch number(text) {
            case .value(let value):
                return value <= field.maxValue ? .success(value) : .failure(outOfRange(text, field))
            case .overflow:
                return .failure(outOfRange(text, field))
            case .notNumber:
                break
            }
        }
        return .failure(notAValue(text, for: field))
    }

    /// The error for a word that is not a single value of `field`.
    private static func notAValue(_ text: Substring, for field: Field) -> ValueError {
        if let looks = describe(text) {
            return ValueError(
                code: .wrongValueKind,
                message: "\(field.rawValue) takes \(kindDescription(field)); '\(text)' is \(looks)")
        }
        switch field.valueKind {
        case .mac, .ipv4, .ipv6:
            let noun =
                field.valueKind == .mac
                ? "a MAC address" : field.valueKind == .ipv4 ? "an IPv4 address" : "an IPv6 address"
            return ValueError(code: .invalidValue, message: "'\(text)' is not \(noun)")
        default:
            let names = NamedValues.names(for: field).map(\.0)
            if field.isTransportPort {
                guard text.contains(where: \.isLetter) else {
                    return ValueError(code: .invalidValue, message: "\(field.rawValue) takes a number, not '\(text)'")
                }
                let hint = Suggestion.closest(to: String(text), among: names).map { " (did you mean '\($0)'?)" } ?? ""
                return ValueError(
                    code: .invalidValue,
                    message: "unknown service name '\(text)'\(hint); \(field.rawValue) takes a port number or a "
                        + "service name such as ssh, domain, http or https")
            }
            if names.isEmpty {
                return ValueError(code: .invalidValue, message: "\(field.rawValue) takes a number, not '\(text)'")
            }
            let hint = Suggestion.closest(to: String(text), among: names).map { " (did you mean '\($0)'?)" } ?? ""
            return ValueError(
                code: .invalidValue,
                message: "unknown \(field.rawValue) value '\(text)'\(hint); use a number or one of "
                    + names.joined(separator: ", "))
        }
    }

    /// A single value, a prefix `x/len` (addresses only) or a range `a-b` of `field`.
    static func interval(_ text: Substring, for field: Field) -> Result<ValueInterval, ValueError> {
        let whole = single(text, for: field)
        if case .success(let value) = whole { return .success(ValueInterval(value)) }
        if field.valueKind == .port { return whole.map(ValueInterval.init) }
        if let slash = text.lastIndex(of: "/") {
            return prefix(address: text[..<slash], length: text[text.index(after: slash)...], text: text, field: field)
        }
        var sideError: ValueError?
        for dash in text.indices where text[dash] == "-" {
            let left = single(text[..<dash], for: field)
            let right = single(text[text.index(after: dash)...], for: field)
            switch (left, right) {
            case (.success(let lo), .success(let hi)):
                if field.isBitmask {
                    return .failure(
                        ValueError(
                            code: .invalidValue,
                            message:
                                "tcp flags cannot be a range; combine flags as syn|ack or list them as { syn, ack }"
                        ))
                }
                guard lo <= hi else {
                    return .failure(
                        ValueError(code: .invalidValue, message: "range '\(text)' is empty: its start is above its end")
                    )
                }
                return .success(ValueInterval(lo: lo, hi: hi))
            case (.success, .failure(let error)), (.failure(let error), .success):
                if sideError == nil { sideError = error }
            case (.failure, .failure):
                continue
            }
        }
        if let sideError { return .failure(sideError) }
        return whole.map(ValueInterval.init)
    }

    private static func prefix(
        address: Substring, length: Substring, text: Substring, field: Field
    ) -> Result<ValueInterval, ValueError> {
        guard field.valueKind != .integer else {
            return .failure(
                ValueError(
                    code: .wrongValueKind,
                    message: "\(field.rawValue) takes numbers; '\(text)' is \(describe(text) ?? "a prefix") "
                        + "(prefixes are for addresses; write a range as a-b)"))
        }
        let base: UInt128
        switch single(address, for: field) {
        case .success(let value): base = value
        case .failure:
            if let looks = describe(text) {
                return .failure(
                    ValueError(
                        code: .wrongValueKind,
                        message: "\(field.rawValue) takes \(kindDescription(field)); '\(text)' is \(looks)"))
            }
            return single(address, for: field).map(ValueInterval.init)
        }
        guard case .value(let bits) = number(length), !length.hasPrefix("0x"), !length.hasPrefix("0X") else {
            return .failure(
                ValueError(
                    code: .invalidValue,
                    message: "'\(text)' needs a prefix length from 0 to \(field.bitWidth) after the '/'"))
        }
        guard bits <= UInt128(field.bitWidth) else {
            return .failure(
                ValueError(
                    code: .valueOutOfRange,
                    message: "prefix length \(length) is out of range for \(field.rawValue) (0-\(field.bitWidth))"))
        }
        return .success(ValueInterval(prefix: base, length: Int(bits), bitWidth: field.bitWidth))
    }

    /// Words joined by `|`: one bit mask of a bit-mask field.
    static func flags(_ parts: [Substring], for field: Field) -> Result<UInt128, ValueError> {
        guard field.isBitmask else {
            return .failure(
                ValueError(
                    code: .invalidValue,
                    message: "'|' combines tcp flags; \(field.rawValue) takes one value (list several as { a, b })"))
        }
        var mask: UInt128 = 0
        for part in parts {
            switch single(part, for: field) {
            case .success(let value): mask |= value
            case .failure(let error): return .failure(error)
            }
        }
        return .success(mask)
    }
}

extension String {
    /// "an IPv4 address" -> "an IPv4", to build "an IPv4 range".
    fileprivate func droppingNoun() -> String {
        let words = split(separator: " ")
        return words.count >= 3 ? words.dropLast().joined(separator: " ") : self
    }
}
