/// Fixed-point text for non-negative numbers, without Foundation: what the JSON and the one-line
/// summaries print for rates and seconds.
public enum DecimalText {
    /// `value` rounded to `digits` decimals (negative or non-finite values as 0).
    public static func fixed(_ value: Double, digits: Int) -> String {
        guard value.isFinite, value > 0 else { return digits == 0 ? "0" : "0." + String(repeating: "0", count: digits) }
        var scale: UInt64 = 1
        for _ in 0..<digits { scale *= 10 }
        let scaled = UInt64(min((value * Double(scale)).rounded(), 9.0e18))
        let whole = scaled / scale
        guard digits > 0 else { return "\(whole)" }
        let fraction = String(scaled % scale)
        return "\(whole)." + String(repeating: "0", count: digits - fraction.count) + fraction
    }
}
