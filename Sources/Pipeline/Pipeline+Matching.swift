import CPcap
import Flow
import Frame
import Limits
import Policy
import Ruleset

/// First match: the rule lists a frame's fields select from the index, merged in rule order,
/// and each candidate's terms tested against the field vector (the stateful terms through the
/// thread's ``StateBinding``).
extension Pipeline {
    /// The number of the first rule numbered at least `from` whose match holds, or -1.
    @inline(__always)
    func firstMatch(_ fields: FieldVector, frame: UnsafeRawBufferPointer, from: Int32 = 0) -> Int32 {
        // The unindexed rules this frame's shape can match (all of them, checked one by one,
        // for an unusual shape).
        let shaped = index.shapes.rules(for: fields.present)
        if !indexed {
            return shaped.map { scan($0, fields, frame: frame, from: from) }
                ?? scan(index.unindexed, fields, frame: frame, from: from)
        }
        // Collect the rule lists the frame's fields select.
        let cursors = scratch.cursors
        var lists = 0
        for d in 0..<index.prefixDirectories.count {
            let directory = index.prefixDirectories.base[d]
            guard let value = fields[directory.field] else { continue }
            var candidates = directory.candidates(value)
            while candidates != 0 {
                let table = index.prefixTables.base[Int(directory.firstTable) + candidates.trailingZeroBitCount]
                candidates &= candidates &- 1
                let slice = table.table.lookup(table.shift >= 128 ? 0 : value >> table.shift)
                if slice.count > 0 {
                    cursors[lists] = CandidateScratch.Cursor(next: slice.start, end: slice.start + slice.count)
                    lists += 1
                }
            }
        }
        for t in 0..<index.exactTables.count {
            let table = index.exactTables.base[t]
            guard let value = fields[table.field] else { continue }
            let slice = table.table.lookup(value)
            if slice.count > 0 {
                cursors[lists] = CandidateScratch.Cursor(next: slice.start, end: slice.start + slice.count)
                lists += 1
            }
        }
        for t in 0..<index.rangeTables.count {
            let table = index.rangeTables.base[t]
            guard let value = fields[table.field] else { continue }
            let slice = index.rangeLookup(table, value)
            if slice.count > 0 {
                cursors[lists] = CandidateScratch.Cursor(next: slice.start, end: slice.start + slice.count)
                lists += 1
            }
        }
        let unindexed = shaped ?? index.unindexed
        if unindexed.count > 0 {
            cursors[lists] = CandidateScratch.Cursor(next: unindexed.start, end: unindexed.start + unindexed.count)
            lists += 1
        }
        if lists == 0 { return -1 }
        if lists == 1 {
            let only = cursors[0]
            return scan(PoolSlice(start: only.next, count: only.end - only.next), fields, frame: frame, from: from)
        }
        // Merge the ascending lists; a rule may appear in several, and is tried once.
        let pool = index.rulePool.base
        var lastTried: Int32 = -1
        while true {
            var best = Int32.max
            var bestList = -1
            for l in 0..<lists {
                let cursor = cursors[l]
                if cursor.next < cursor.end {
                    let candidate = pool[Int(cursor.next)]
                    if candidate < best {
                        best = candidate
                        bestList = l
                    }
                }
            }
            if bestList < 0 { return -1 }
            cursors[bestList].next += 1
            if best == lastTried || best < from { continue }
            lastTried = best
            if matches(rules.base + Int(best), fields, frame: frame) { return best }
        }
    }

    @inline(__always)
    func scan(
        _ slice: PoolSlice, _ fields: FieldVector, frame: UnsafeRawBufferPointer, from: Int32
    ) -> Int32 {
        let pool = index.rulePool.base
        var i = Int(slice.start)
        let end = i + Int(slice.count)
        while i < end {
            let number = pool[i]
            if number >= from && matches(rules.base + Int(number), fields, frame: frame) { return number }
            i += 1
        }
        return -1
    }

    /// Whether every term of `rule` holds.
    @inline(__always)
    func matches(
        _ rule: UnsafeMutablePointer<CompiledRule>, _ fields: FieldVector, frame: UnsafeRawBufferPointer
    ) -> Bool {
        if rule.pointee.requiredFields & ~fields.present != 0 { return false }
        // A rule of a chain is eligible only while evaluation is inside that chain's copy.
        if rule.pointee.segmentLow > segmentLow || rule.pointee.segmentHigh < segmentHigh { return false }
        var t = Int(rule.pointee.terms.start)
        let end = t + Int(rule.pointee.terms.count)
        while t < end {
            if !holds(terms.base + t, fields, frame: frame) { return false }
            t += 1
        }
        return true
    }

    @inline(__always)
    func holds(_ term: UnsafeMutablePointer<Term>, _ fields: FieldVector, frame: UnsafeRawBufferPointer) -> Bool {
        let field = term.pointee.field
        let negated = term.pointee.negated
        let test = term.pointee.test
        if test == .narrowInterval {
            guard fields.present & field.bit != 0 else { return negated }
            let value = fields.narrow[Int(field.rawValue)]
            let inside =
                value &- UInt64(truncatingIfNeeded: term.pointee.lo) <= UInt64(truncatingIfNeeded: term.pointee.hi)
            return inside != negated
        }
        if test == .narrowList {
            guard fields.present & field.bit != 0 else { return negated }
            let value = fields.narrow[Int(field.rawValue)]
            var i = Int(term.pointee.slice.start)
            let end = i + Int(term.pointee.slice.count)
            while i < end {
                let interval = narrowPool.base + i
                if value &- interval.pointee.lo <= interval.pointee.span { return !negated }
                i += 1
            }
            return negated
        }
        return holdsSlowly(term.pointee, fields, frame: frame)
    }

    /// Every test but the common one.
    func holdsSlowly(_ term: Term, _ fields: FieldVector, frame: UnsafeRawBufferPointer) -> Bool {
        if term.test == .bpf {
            let program = bpfPrograms.base[Int(term.slice.start)]
            guard let base = frame.baseAddress else { return term.negated }
            let accepted =
                bpf_filter(
                    program.base, base.assumingMemoryBound(to: UInt8.self), UInt32(frame.count), UInt32(frame.count))
                != 0
            return accepted != term.negated
        }
        guard let value = fields[term.field] else { return term.negated }
        let inSet: Bool
        switch term.test {
        case .narrowInterval:
            inSet = value &- term.lo <= term.hi
        case .narrowList:
            let narrowValue = UInt64(truncatingIfNeeded: value)
            var found = false
            var i = Int(term.slice.start)
            let end = i + Int(term.slice.count)
            while i < end {
                if narrowValue &- narrowPool.base[i].lo <= narrowPool.base[i].span {
                    found = true
                    break
                }
                i += 1
            }
            inSet = found
        case .interval:
            inSet = value >= term.lo && value <= term.hi
        case .intervalList:
            var found = false
            var i = Int(term.slice.start)
            let end = i + Int(term.slice.count)
            while i < end {
                let interval = intervalPool.base[i]
                if value >= interval.lo && value <= interval.hi {
                    found = true
                    break
                }
                i += 1
            }
            inSet = found
        case .sortedIntervals:
            inSet = sortedContains(term.slice, value)
        case .exactHash:
            inSet = hashSets.base[Int(term.slice.start)].lookup(value).count != 0
        case .allBits:
            inSet = value & term.lo == term.lo
        case .anyAllBits:
            var found = false
            var i = Int(term.slice.start)
            let end = i + Int(term.slice.count)
            while i < end {
                let mask = intervalPool.base[i].lo
                if value & mask == mask {
                    found = true
                    break
                }
                i += 1
            }
            inSet = found
        case .bpf:
            inSet = false
        case .limit:
            return binding.limitHolds(
                Int(term.slice.start), info: frameInfo, length: kernelLength, now: now)
        case .quota:
            return binding.quotaHolds(Int(term.slice.start), length: kernelLength)
        case .setMember:
            inSet = binding.dynamicSet(Int(term.slice.start)).contains(value, now: now)
        case .setAdd:
            let timeout: UInt64? = term.hi == 1 ? UInt64(truncatingIfNeeded: term.lo) : nil
            return binding.dynamicSet(Int(term.slice.start)).add(value, now: now, timeout: timeout)
        case .setUpdate:
            let timeout: UInt64? = term.hi == 1 ? UInt64(truncatingIfNeeded: term.lo) : nil
            return binding.dynamicSet(Int(term.slice.start)).update(value, now: now, timeout: timeout)
        }
        return inSet != term.negated
    }

    /// Binary search in sorted, disjoint intervals.
    @inline(__always)
    func sortedContains(_ slice: PoolSlice, _ value: UInt128) -> Bool {
        var low = Int(slice.start)
        var high = low + Int(slice.count) - 1
        while low <= high {
            let mid = (low + high) >> 1
            let interval = intervalPool.base[mid]
            if value < interval.lo {
                high = mid - 1
            } else if value > interval.hi {
                low = mid + 1
            } else {
                return true
            }
        }
        return false
    }
}
