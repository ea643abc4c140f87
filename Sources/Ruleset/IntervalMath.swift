import Policy

/// Interval arithmetic the compiler needs: normalising sets and splitting ranges into prefixes.
enum IntervalMath {
    /// Sorts intervals and merges the ones that overlap or touch.
    static func normalize(_ intervals: [ValueInterval]) -> [ValueInterval] {
        let sorted = intervals.sorted()
        var merged: [ValueInterval] = []
        merged.reserveCapacity(sorted.count)
        for interval in sorted {
            if var last = merged.last, last.hi == UInt128.max || interval.lo <= last.hi + 1 {
                if interval.hi > last.hi { last.hi = interval.hi }
                merged[merged.count - 1] = last
            } else {
                merged.append(interval)
            }
        }
        return merged
    }

    /// The fewest CIDR prefixes `(address, length)` that cover exactly `interval` in a
    /// `bitWidth`-bit field.
    static func prefixes(covering interval: ValueInterval, bitWidth: Int) -> [(address: UInt128, length: Int)] {
        var result: [(UInt128, Int)] = []
        var lo = interval.lo
        let hi = interval.hi
        while true {
            // The largest aligned block starting at lo that stays within hi.
            var hostBits = lo == 0 ? bitWidth : min(bitWidth, lo.trailingZeroBitCount)
            while hostBits > 0 {
                let last = lo | lowMask(hostBits)
                if last <= hi { break }
                hostBits -= 1
            }
            result.append((lo, bitWidth - hostBits))
            let last = lo | lowMask(hostBits)
            if last >= hi { break }
            lo = last + 1
        }
        return result
    }

    /// The fraction of a `bitWidth`-bit field's values the intervals cover (0 ... 1).
    static func coverage(of intervals: [ValueInterval], bitWidth: Int) -> Double {
        var total = 0.0
        for interval in intervals {
            total += Double(interval.hi - interval.lo) + 1
        }
        return total / pow2(bitWidth)
    }

    /// `2^bits - 1`.
    static func lowMask(_ bits: Int) -> UInt128 {
        bits >= 128 ? UInt128.max : (UInt128(1) << bits) - 1
    }

    static func pow2(_ bits: Int) -> Double {
        var value = 1.0
        for _ in 0..<bits { value *= 2 }
        return value
    }
}
