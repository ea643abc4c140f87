/// A masked comparison, nft's `tcp flags & (fin|syn|rst|ack) == syn`: the frame has the field
/// and `value & mask` is (or, `notEqual`, is not) ``value``.
///
/// The checker resolves it to a ``FieldMatch`` that is never negated (like nft, `!=` here holds
/// only for frames that have the field, TCP frames) whose values are every value of the field
/// the comparison holds for, so matching needs nothing new; the mirror writes the mask back.
public struct MaskedMatch: Sendable, Hashable {
    public var mask: UInt128
    public var value: UInt128
    public var notEqual: Bool

    public init(mask: UInt128, value: UInt128, notEqual: Bool) {
        self.mask = mask
        self.value = value
        self.notEqual = notEqual
    }

    /// The values of a `bitWidth`-bit field (at most 16 bits) the comparison holds for, as
    /// intervals in order.
    public func matchingValues(bitWidth: Int) -> [ValueInterval] {
        precondition(bitWidth <= 16, "a masked comparison enumerates its field's values")
        var intervals: [ValueInterval] = []
        for candidate in 0...((UInt128(1) << bitWidth) - 1) where (candidate & mask == value) != notEqual {
            if let last = intervals.last, last.hi + 1 == candidate {
                intervals[intervals.count - 1].hi = candidate
            } else {
                intervals.append(ValueInterval(candidate))
            }
        }
        return intervals
    }
}
