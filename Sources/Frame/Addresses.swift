/// Text forms of addresses, shared by the policy parser, logs and status output.
public enum AddressText {
    /// Parses `aa:bb:cc:dd:ee:ff` (also `-` separated), case-insensitive, into the low 48 bits.
    public static func parseMAC(_ text: Substring) -> UInt64? {
        var value: UInt64 = 0
        var groups = 0
        var digits = 0
        var current: UInt64 = 0
        for ch in text.utf8 {
            if ch == UInt8(ascii: ":") || ch == UInt8(ascii: "-") {
                guard digits > 0, groups < 5 else { return nil }
                value = value << 8 | current
                groups += 1
                digits = 0
                current = 0
            } else if let d = hexDigit(ch) {
                digits += 1
                guard digits <= 2 else { return nil }
                current = current << 4 | UInt64(d)
            } else {
                return nil
            }
        }
        guard groups == 5, digits > 0 else { return nil }
        return value << 8 | current
    }

    /// Formats the low 48 bits as `aa:bb:cc:dd:ee:ff`.
    public static func formatMAC(_ mac: UInt64) -> String {
        var parts: [String] = []
        for shift in stride(from: 40, through: 0, by: -8) {
            parts.append(hex2(UInt8(truncatingIfNeeded: mac >> UInt64(shift))))
        }
        return parts.joined(separator: ":")
    }

    /// Parses dotted-quad IPv4 (`198.18.0.1`), four decimal octets, no leading `+`.
    public static func parseIPv4(_ text: Substring) -> UInt32? {
        var value: UInt32 = 0
        var octets = 0
        var current: UInt32 = 0
        var digits = 0
        for ch in text.utf8 {
            if ch == UInt8(ascii: ".") {
                guard digits > 0, octets < 3 else { return nil }
                value = value << 8 | current
                octets += 1
                current = 0
                digits = 0
            } else if ch >= UInt8(ascii: "0") && ch <= UInt8(ascii: "9") {
                digits += 1
                guard digits <= 3 else { return nil }
                current = current * 10 + UInt32(ch - UInt8(ascii: "0"))
                guard current <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard octets == 3, digits > 0 else { return nil }
        return value << 8 | current
    }

    /// Formats as dotted quad.
    public static func formatIPv4(_ address: UInt32) -> String {
        "\(address >> 24).\(address >> 16 & 0xff).\(address >> 8 & 0xff).\(address & 0xff)"
    }

    /// Parses RFC 4291 text (`2001:db8::1`, `::`, `::ffff:198.18.0.1`).
    public static func parseIPv6(_ text: Substring) -> UInt128? {
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawGap = false
        var rest = text
        if rest.hasPrefix("::") {
            sawGap = true
            rest = rest.dropFirst(2)
            if rest.isEmpty { return 0 }
        }
        let pieces = rest.split(separator: ":", omittingEmptySubsequences: false)
        var index = 0
        while index < pieces.count {
            let piece = pieces[index]
            if piece.isEmpty {
                // "::" in the middle or at the end shows up as one empty piece.
                guard !sawGap else { return nil }
                sawGap = true
                if index == pieces.count - 2 && pieces[index + 1].isEmpty {
                    index += 2
                    continue
                }
                index += 1
                continue
            }
            if piece.contains(".") {
                guard index == pieces.count - 1, let v4 = parseIPv4(piece) else { return nil }
                let pair: [UInt16] = [UInt16(v4 >> 16), UInt16(v4 & 0xffff)]
                if sawGap { tail += pair } else { head += pair }
                index += 1
                continue
            }
            guard piece.utf8.count <= 4 else { return nil }
            var group: UInt16 = 0
            for ch in piece.utf8 {
                guard let d = hexDigit(ch) else { return nil }
                group = group << 4 | UInt16(d)
            }
            if sawGap { tail.append(group) } else { head.append(group) }
            index += 1
        }
        let count = head.count + tail.count
        if sawGap { guard count <= 7 else { return nil } } else { guard count == 8 else { return nil } }
        let groups = head + Array(repeating: 0, count: 8 - count) + tail
        var value: UInt128 = 0
        for group in groups { value = value << 16 | UInt128(group) }
        return value
    }

    /// Formats in RFC 5952 canonical form (lower case, longest zero run as `::`).
    public static func formatIPv6(_ address: UInt128) -> String {
        var groups: [UInt16] = []
        for shift in stride(from: 112, through: 0, by: -16) {
            groups.append(UInt16(truncatingIfNeeded: address >> UInt128(shift)))
        }
        var bestStart = -1
        var bestLength = 0
        var runStart = -1
        for i in 0...8 {
            if i < 8 && groups[i] == 0 {
                if runStart < 0 { runStart = i }
            } else if runStart >= 0 {
                if i - runStart > bestLength && i - runStart >= 2 {
                    bestStart = runStart
                    bestLength = i - runStart
                }
                runStart = -1
            }
        }
        func text(_ range: Range<Int>) -> String {
            groups[range].map { String($0, radix: 16) }.joined(separator: ":")
        }
        if bestStart < 0 { return text(0..<8) }
        return text(0..<bestStart) + "::" + text((bestStart + bestLength)..<8)
    }

    private static func hexDigit(_ ch: UInt8) -> UInt8? {
        switch ch {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return ch - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return ch - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return ch - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    private static func hex2(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xf)]])
    }
}
