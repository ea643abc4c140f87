import Policy

/// `meta length` across framings: Bridgekeeper's is the frame's length, tags included; the
/// kernel's (`skb->len`) counts from the network header, without the outer tag when the
/// receive path took it off (TPID 0x8100 or 0x88a8; a 0x9100 tag stays in the data).
enum FrameLength {
    /// What a `meta length` term becomes where the kernel's value is the frame's minus `bytes`.
    enum Shifted {
        case match(FieldMatch)
        /// No frame of this kind can match.
        case never
        /// Every frame of this kind matches (a negated term whose values all lie below).
        case always
    }

    /// The kernel's length of an untagged frame is its own minus 14, of a frame whose outer tag
    /// was taken off minus 18.
    static let untagged = 14
    static let stripped = 18

    static func shifted(_ match: FieldMatch, by bytes: Int) -> Shifted {
        var shifted = match
        shifted.setName = nil
        shifted.values = match.values.compactMap { interval -> ValueInterval? in
            let k = UInt128(bytes)
            guard interval.hi >= k else { return nil }
            return ValueInterval(lo: interval.lo > k ? interval.lo - k : 0, hi: interval.hi - k)
        }
        if shifted.values.isEmpty { return match.negated ? .always : .never }
        return .match(shifted)
    }
}
