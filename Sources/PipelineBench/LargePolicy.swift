import Frame

/// Writes a large policy in the policy language: exact /32s, prefixes, port sets, ranges and
/// mixed rules, in proportions like a real blocklist-heavy edge, ending in `default forward`.
/// Its addresses (203.0.113.0/24-like blocks inside 198.18.0.0/15 shifted high) rarely match the
/// benchmark's frames, so most frames walk to the default: the worst case for a rule scan.
public enum LargePolicy {
    public static func text(rules: Int, seed: UInt64 = 7) -> String {
        var random = SplitMix64(seed: seed)
        var lines = ["version 1", "# generated: \(rules) rules", "default forward", ""]
        for n in 0..<rules {
            let kind = n % 10
            let match: String
            switch kind {
            case 0, 1, 2, 3:
                // An exact host outside the traffic's range.
                match = "ip saddr \(AddressText.formatIPv4(0xCB00_0000 | UInt32(random.below(1 << 24))))"
            case 4, 5:
                let length = [16, 20, 24, 28][random.below(4)]
                let base = (0x0A00_0000 | UInt32(random.below(1 << 24))) & ~((1 << (32 - UInt32(length))) - 1)
                match = "ip daddr \(AddressText.formatIPv4(base))/\(length)"
            case 6, 7:
                let ports = (0..<3).map { _ in String(30000 + random.below(20000)) }
                match = "tcp dport { \(ports.joined(separator: ", ")) }"
            case 8:
                let lo = 50000 + random.below(10000)
                match = "udp dport \(lo)-\(lo + random.below(20))"
            default:
                let base = (0x0B00_0000 | UInt32(random.below(1 << 24))) & 0xffff_ff00
                match = "ip saddr \(AddressText.formatIPv4(base))/24 tcp dport \(1 + random.below(1000))"
            }
            lines.append("rule \"r\(n)\" {")
            lines.append("    match \(match)")
            lines.append("    drop")
            lines.append("}")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
