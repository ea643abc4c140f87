/// A set of field values as sorted, disjoint, non-adjacent closed intervals.
struct IntervalSet: Equatable {
    private(set) var intervals: [ValueInterval]

    init(_ list: [ValueInterval]) {
        var merged: [ValueInterval] = []
        for interval in list.sorted() {
            if let last = merged.last, last.hi == UInt128.max || interval.lo <= last.hi + 1 {
                merged[merged.count - 1].hi = max(last.hi, interval.hi)
            } else {
                merged.append(interval)
            }
        }
        intervals = merged
    }

    var isEmpty: Bool { intervals.isEmpty }

    /// Every value of `self` is in `other`.
    func isSubset(of other: IntervalSet) -> Bool {
        // Merged intervals: each of ours must lie inside a single one of theirs.
        var j = 0
        for interval in intervals {
            while j < other.intervals.count && other.intervals[j].hi < interval.lo { j += 1 }
            guard j < other.intervals.count, other.intervals[j].lo <= interval.lo, interval.hi <= other.intervals[j].hi
            else { return false }
        }
        return true
    }

    /// Some value is in both.
    func intersects(_ other: IntervalSet) -> Bool {
        var i = 0
        var j = 0
        while i < intervals.count && j < other.intervals.count {
            let a = intervals[i]
            let b = other.intervals[j]
            if a.hi < b.lo {
                i += 1
            } else if b.hi < a.lo {
                j += 1
            } else {
                return true
            }
        }
        return false
    }

    /// The values of `self` not in `other`.
    func subtracting(_ other: IntervalSet) -> IntervalSet {
        var result: [ValueInterval] = []
        for interval in intervals {
            var lo = interval.lo
            var done = false
            for cut in other.intervals where !done && cut.hi >= lo && cut.lo <= interval.hi {
                if cut.lo > lo { result.append(ValueInterval(lo: lo, hi: cut.lo - 1)) }
                if cut.hi >= interval.hi {
                    done = true
                } else {
                    lo = cut.hi + 1
                }
            }
            if !done { result.append(ValueInterval(lo: lo, hi: interval.hi)) }
        }
        return IntervalSet(result)
    }

    /// The union of both.
    func union(_ other: IntervalSet) -> IntervalSet { IntervalSet(intervals + other.intervals) }
}
