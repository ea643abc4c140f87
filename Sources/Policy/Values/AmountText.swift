/// Rates and byte amounts as nft writes them: `10/second`, `10 mbytes/second`, `5 packets`,
/// `9000 kbytes`, `100 mbytes`. nft's byte units are powers of 1024.
enum AmountText {
    /// nft's data units (`data_unit_parse`): bytes, kbytes, mbytes, gbytes.
    static let byteUnits: [(String, UInt64)] = [
        ("bytes", 1), ("kbytes", 1 << 10), ("mbytes", 1 << 20), ("gbytes", 1 << 30),
    ]

    /// Why a rate or amount could not be read.
    enum Failure: Error, Equatable {
        case notNumber(String)
        case zero
        case tooLarge
        case unknownTimeUnit(String)
        case unknownByteUnit(String)
    }

    /// `N/UNIT` (packets) alone, or `N` followed by `BYTEUNIT/UNIT`.
    static func rate(_ words: [Substring]) -> Result<Rate, Failure> {
        let amountText: Substring
        let perText: Substring
        var multiplier: UInt64 = 1
        var bytes = false
        if words.count == 1 {
            let parts = words[0].split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { return .failure(.unknownTimeUnit("")) }
            amountText = parts[0]
            perText = parts[1]
        } else {
            amountText = words[0]
            let parts = words[1].split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard let unit = byteUnits.first(where: { $0.0 == parts[0] }) else {
                return .failure(.unknownByteUnit(String(parts[0])))
            }
            multiplier = unit.1
            bytes = true
            perText = parts.count == 2 ? parts[1] : ""
        }
        guard let unit = Rate.Unit(rawValue: String(perText)) else {
            return .failure(.unknownTimeUnit(String(perText)))
        }
        switch count(amountText, times: multiplier) {
        case .success(let amount): return .success(Rate(amount: amount, unit: unit, countsBytes: bytes))
        case .failure(let failure): return .failure(failure)
        }
    }

    /// `N BYTEUNIT`, in bytes.
    static func bytes(_ amount: Substring, unit: Substring) -> Result<UInt64, Failure> {
        guard let scale = byteUnits.first(where: { $0.0 == unit })?.1 else {
            return .failure(.unknownByteUnit(String(unit)))
        }
        return count(amount, times: scale)
    }

    /// A positive decimal number times `multiplier`, within 64 bits.
    static func count(_ text: Substring, times multiplier: UInt64 = 1) -> Result<UInt64, Failure> {
        switch LiteralParser.number(text) {
        case .value(let value):
            guard value > 0 else { return .failure(.zero) }
            let (product, overflow) = value.multipliedReportingOverflow(by: UInt128(multiplier))
            guard !overflow, product <= UInt128(UInt64.max) else { return .failure(.tooLarge) }
            return .success(UInt64(product))
        case .overflow: return .failure(.tooLarge)
        case .notNumber: return .failure(.notNumber(String(text)))
        }
    }
}
