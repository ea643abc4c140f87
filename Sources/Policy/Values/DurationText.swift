/// Durations as the policy writes them: digits, an optional fraction, and a unit `us`, `ms`,
/// `s`, `m`, `h` or `d` (`25ms`, `1.5ms`, `100us`, `1s`, `2h`, `5d`). Held in nanoseconds.
public enum DurationText {
    private static let units: [(String, UInt64)] = [
        ("us", 1_000), ("ms", 1_000_000), ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000),
        ("d", 86_400_000_000_000),
    ]

    /// Why a word is not a duration.
    enum Failure: Error, Equatable {
        case notDuration
        case finerThanNanosecond
        case tooLarge
    }

    /// Nanoseconds, or nil when `text` is not a duration.
    public static func parse(_ text: Substring) -> UInt64? {
        try? parseChecked(text).get()
    }

    static func parseChecked(_ text: Substring) -> Result<UInt64, Failure> {
        // "us" and "ms" end in "s" too, so they are tried first.
        guard let (suffix, scale) = units.first(where: { text.hasSuffix($0.0) }) else { return .failure(.notDuration) }
        let number = text.dropLast(suffix.count)
        let parts = number.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let integerPart = parts.first, !integerPart.isEmpty, integerPart.utf8.allSatisfy(isDigit) else {
            return .failure(.notDuration)
        }
        let fraction = parts.count == 2 ? parts[1] : ""
        guard parts.count == 1 || (!fraction.isEmpty && fraction.utf8.allSatisfy(isDigit)) else {
            return .failure(.notDuration)
        }
        var total: UInt64 = 0
        for ch in integerPart.utf8 {
            let (times, o1) = total.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(UInt64(ch - UInt8(ascii: "0")))
            guard !o1, !o2 else { return .failure(.tooLarge) }
            total = sum
        }
        let (scaled, overflow) = total.multipliedReportingOverflow(by: scale)
        guard !overflow else { return .failure(.tooLarge) }
        total = scaled
        var place = scale
        for ch in fraction.utf8 {
            let digit = UInt64(ch - UInt8(ascii: "0"))
            if place % 10 != 0 {
                if digit != 0 { return .failure(.finerThanNanosecond) }
                continue
            }
            place /= 10
            total += digit * place
        }
        return .success(total)
    }

    private static func isDigit(_ ch: UInt8) -> Bool { ch >= UInt8(ascii: "0") && ch <= UInt8(ascii: "9") }

    /// Writes nanoseconds back in the largest unit that keeps it short: `25ms`, `1.5ms`, `100us`,
    /// `2s`; values under a microsecond as a fraction of `us`; whole minutes, hours and days as
    /// `5m`, `2h`, `5d`.
    public static func format(_ nanoseconds: UInt64) -> String {
        for (suffix, scale) in units.reversed().prefix(3) where nanoseconds >= scale && nanoseconds % scale == 0 {
            return "\(nanoseconds / scale)\(suffix)"
        }
        let (suffix, scale) =
            nanoseconds >= 1_000_000_000
            ? ("s", UInt64(1_000_000_000))
            : nanoseconds >= 1_000_000 ? ("ms", UInt64(1_000_000)) : ("us", UInt64(1_000))
        let whole = nanoseconds / scale
        var remainder = nanoseconds % scale
        guard remainder != 0 else { return "\(whole)\(suffix)" }
        var digits = ""
        var place = scale / 10
        while remainder != 0 && place != 0 {
            digits += String(remainder / place)
            remainder %= place
            place /= 10
        }
        return "\(whole).\(digits)\(suffix)"
    }
}
