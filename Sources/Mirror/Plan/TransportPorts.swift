import Policy

/// nft's `th sport` and `th dport` in the mirror. The kernel's `th` reads the first bytes of
/// whatever transport header there is, while the policy's are the ports of TCP and UDP frames
/// only: a positive term is checked after `meta l4proto { 6, 17 }` (``MatchTranslation``), and a
/// negated one is split here.
extension RuleTerms {
    /// `th sport|dport != V` holds for a frame with neither TCP nor UDP ports, or whose port is
    /// not V: exactly `tcp sport|dport != V` and `udp sport|dport != V` together, which nft can
    /// check with their own dependencies. Other terms stay as they are.
    static func split(_ match: FieldMatch) -> [FieldMatch] {
        guard match.negated, match.field == .thSport || match.field == .thDport else { return [match] }
        let source = match.field == .thSport
        return [source ? Field.tcpSport : .tcpDport, source ? .udpSport : .udpDport].map { field in
            var part = match
            part.field = field
            return part
        }
    }
}
