import Limits

/// Rates and byte amounts as nft writes them: `10/second`, `10 mbytes/second`, `5 packets`,
/// `9000 kbytes`, `100 mbytes`, read into ``Limits``' values (which know nft's units and the
/// kernel's limits).
enum AmountText {
    /// Why a rate or amount could not be read.
    enum Failure: Error, Equatable {
        case notNumber(String)
        case unknownTimeUnit(String)
        case unknownByteUnit(String)
        case invalid(LimitError)
    }

    /// `N/UNIT` (packets) alone, or `N` followed by `BYTEUNIT/UNIT`.
    static func rate(_ words: [Substring]) -> Result<Rate, Failure> {
        let amountText: Substring
        let perText: Substring
        var byteUnit: ByteUnit?
        if words.count == 1 {
            let parts = words[0].split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            amountText = parts[0]
            perText = parts.count == 2 ? parts[1] : ""
        } else {
            amountText = words[0]
            let parts = words[1].split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard let unit = ByteUnit(name: parts[0]) else { return .failure(.unknownByteUnit(String(parts[0]))) }
            byteUnit = unit
            perText = parts.count == 2 ? parts[1] : ""
        }
        guard let unit = TimeUnit(name: perText) else { return .failure(.unknownTimeUnit(String(perText))) }
        guard let count = number(amountText) else { return .failure(.notNumber(String(amountText))) }
        do throws(LimitError) {
            if let byteUnit { return .success(try Rate(count, byteUnit, per: unit)) }
            return .success(try Rate(packets: count, per: unit))
        } catch {
            return .failure(.invalid(error))
        }
    }

    /// `N packets` or `N BYTEUNIT` after `burst`.
    static func burst(_ amount: Substring, unit: Substring) -> Result<Burst, Failure> {
        guard let count = number(amount) else { return .failure(.notNumber(String(amount))) }
        do throws(LimitError) {
            if unit == "packets" { return .success(try Burst(packets: count)) }
            guard let byteUnit = ByteUnit(name: unit) else { return .failure(.unknownByteUnit(String(unit))) }
            return .success(try Burst(count, byteUnit))
        } catch {
            return .failure(.invalid(error))
        }
    }

    /// `N BYTEUNIT` of a quota.
    static func quota(_ amount: Substring, unit: Substring) -> Result<QuotaAmount, Failure> {
        guard let count = number(amount) else { return .failure(.notNumber(String(amount))) }
        guard let byteUnit = ByteUnit(name: unit) else { return .failure(.unknownByteUnit(String(unit))) }
        do throws(LimitError) {
            return .success(try QuotaAmount(count, byteUnit))
        } catch {
            return .failure(.invalid(error))
        }
    }

    /// A decimal (or `0x` hex) number within 64 bits.
    static func number(_ text: Substring) -> UInt64? {
        guard case .value(let value) = LiteralParser.number(text), value <= UInt128(UInt64.max) else { return nil }
        return UInt64(value)
    }
}
