import Policy

/// Chooses each rule's anchor and builds the ``RuleIndex`` structures.
enum RuleIndexBuilder {
    /// - Parameter required: the fields each rule's equal terms need (``CompiledRule/requiredFields``).
    /// - Parameter matches: each compiled rule's match terms, by rule number.
    static func build(matches: [[MatchTerm]], required: [UInt64], options: PolicyCompiler.Options) -> RuleIndex {
        var rulePool: [Int32] = []
        let ruleCount = matches.count
        if ruleCount <= options.linearScanLimit {
            rulePool = (0..<ruleCount).map { Int32($0) }
            let shapes = shapeTable(unindexed: rulePool, required: required, pool: &rulePool)
            return RuleIndex(
                prefixTables: [], exactTables: [], rangeTables: [], boundaryPool: [], segmentPool: [],
                rulePool: rulePool, unindexed: PoolSlice(start: 0, count: Int32(ruleCount)), shapes: shapes)
        }

        // key: (field, prefix length) → value → rules, in rule order.
        var prefixEntries: [PrefixKey: [UInt128: [Int32]]] = [:]
        var exactEntries: [FieldCode: [UInt128: [Int32]]] = [:]
        var rangeEntries: [FieldCode: [(ValueInterval, Int32)]] = [:]
        var unindexed: [Int32] = []

        for (number, rule) in matches.enumerated() {
            let ruleNumber = Int32(number)
            guard let anchor = chooseAnchor(rule, options: options) else {
                unindexed.append(ruleNumber)
                continue
            }
            let field = anchor.field
            let code = FieldCode(field)
            let intervals = IntervalMath.normalize(anchor.values)
            if isAddress(field) {
                for interval in intervals {
                    for prefix in IntervalMath.prefixes(covering: interval, bitWidth: field.bitWidth) {
                        let key = PrefixKey(field: code, length: prefix.length)
                        let shifted = shift(prefix.address, by: field.bitWidth - prefix.length)
                        prefixEntries[key, default: [:]][shifted, default: []].appendUnique(ruleNumber)
                    }
                }
            } else {
                for interval in intervals {
                    if interval.isSingle {
                        exactEntries[code, default: [:]][interval.lo, default: []].appendUnique(ruleNumber)
                    } else {
                        rangeEntries[code, default: []].append((interval, ruleNumber))
                    }
                }
            }
        }

        var prefixTables: [RuleIndex.PrefixTable] = []
        var prefixDirectories: [PrefixDirectory] = []
        var fieldPrefixes: [(length: Int, values: [UInt128])] = []
        // Sorted by field, then longest first: each field's tables are one contiguous run.
        let keys = prefixEntries.keys.sorted { ($0.field.rawValue, -$0.length) < ($1.field.rawValue, -$1.length) }
        for (position, key) in keys.enumerated() {
            let entries = prefixEntries[key]!.map { value, rules in (value, appendRules(rules, to: &rulePool)) }
            let width = Field.allCases.first { FieldCode($0) == key.field }!.bitWidth
            prefixTables.append(
                RuleIndex.PrefixTable(
                    field: key.field, shift: UInt8(width - key.length), table: FlatHashMap(entries)))
            fieldPrefixes.append((key.length, entries.map(\.0)))
            if position + 1 == keys.count || keys[position + 1].field != key.field || fieldPrefixes.count == 64 {
                prefixDirectories.append(
                    PrefixDirectory(
                        field: key.field, bitWidth: width, firstTable: prefixTables.count - fieldPrefixes.count,
                        prefixes: fieldPrefixes))
                fieldPrefixes = []
            }
        }
        var exactTables: [RuleIndex.ExactTable] = []
        for field in exactEntries.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            let entries = exactEntries[field]!.map { value, rules in (value, appendRules(rules, to: &rulePool)) }
            exactTables.append(RuleIndex.ExactTable(field: field, table: FlatHashMap(entries)))
        }
        var rangeTables: [RuleIndex.RangeTable] = []
        var boundaryPool: [UInt128] = []
        var segmentPool: [PoolSlice] = []
        for field in rangeEntries.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            let segments = elementarySegments(rangeEntries[field]!)
            let bounds = PoolSlice(start: Int32(boundaryPool.count), count: Int32(segments.bounds.count))
            boundaryPool += segments.bounds
            let segmentSlice = PoolSlice(start: Int32(segmentPool.count), count: Int32(segments.rules.count))
            for rules in segments.rules {
                segmentPool.append(rules.isEmpty ? .empty : appendRules(rules, to: &rulePool))
            }
            rangeTables.append(RuleIndex.RangeTable(field: field, bounds: bounds, segments: segmentSlice))
        }
        let unindexedSlice = appendRules(unindexed, to: &rulePool)
        let shapes = shapeTable(unindexed: unindexed, required: required, pool: &rulePool)
        return RuleIndex(
            prefixTables: prefixTables, prefixDirectories: prefixDirectories, exactTables: exactTables,
            rangeTables: rangeTables, boundaryPool: boundaryPool, segmentPool: segmentPool, rulePool: rulePool,
            unindexed: unindexedSlice,
            shapes: shapes)
    }

    /// The unindexed rules that can match each common frame shape.
    static func shapeTable(unindexed: [Int32], required: [UInt64], pool: inout [Int32]) -> FrameClassTable {
        var shapes: [(shape: UInt64, rules: PoolSlice)] = []
        for shape in FrameClassTable.commonShapes {
            let candidates = unindexed.filter { required[Int($0)] & ~shape == 0 }
            shapes.append((shape, appendRules(candidates, to: &pool)))
        }
        return FrameClassTable(shapes: shapes)
    }

    private struct PrefixKey: Hashable {
        var field: FieldCode
        var length: Int
    }

    /// The non-negated term whose values cover the smallest part of their field, if small enough.
    static func chooseAnchor(_ match: [MatchTerm], options: PolicyCompiler.Options) -> FieldMatch? {
        var best: (match: FieldMatch, coverage: Double)?
        for term in match {
            guard case .field(let match) = term, !match.negated, isIndexable(match.field) else { continue }
            let intervals = IntervalMath.normalize(match.values)
            let coverage = IntervalMath.coverage(of: intervals, bitWidth: match.field.bitWidth)
            guard coverage <= options.maximumAnchorCoverage else { continue }
            if best == nil || coverage < best!.coverage { best = (match, coverage) }
        }
        return best?.match
    }

    static func isIndexable(_ field: Field) -> Bool {
        switch field {
        case .etherSaddr, .etherDaddr, .ipSaddr, .ipDaddr, .ip6Saddr, .ip6Daddr, .tcpSport, .tcpDport, .udpSport,
            .udpDport, .vlanID:
            return true
        default:
            return false
        }
    }

    static func isAddress(_ field: Field) -> Bool {
        switch field {
        case .etherSaddr, .etherDaddr, .ipSaddr, .ipDaddr, .ip6Saddr, .ip6Daddr: return true
        default: return false
        }
    }

    static func shift(_ value: UInt128, by bits: Int) -> UInt128 {
        bits >= 128 ? 0 : value >> bits
    }

    /// Splits overlapping ranges into elementary segments, each with the rules covering it.
    static func elementarySegments(_ ranges: [(ValueInterval, Int32)]) -> (bounds: [UInt128], rules: [[Int32]]) {
        // The fields indexed by range are at most 16 bits wide, so hi + 1 cannot overflow.
        var points = Set<UInt128>()
        for (interval, _) in ranges {
            points.insert(interval.lo)
            points.insert(interval.hi + 1)
        }
        let bounds = points.sorted()
        // Sweep: a rule is active on [lo, hi + 1).
        var starts: [UInt128: [Int32]] = [:]
        var ends: [UInt128: [Int32]] = [:]
        for (interval, rule) in ranges {
            starts[interval.lo, default: []].append(rule)
            ends[interval.hi + 1, default: []].append(rule)
        }
        var active: [Int32: Int] = [:]
        var segments: [[Int32]] = []
        segments.reserveCapacity(bounds.count - 1)
        for (i, point) in bounds.enumerated() {
            for rule in ends[point] ?? [] {
                active[rule]! -= 1
                if active[rule] == 0 { active[rule] = nil }
            }
            for rule in starts[point] ?? [] { active[rule, default: 0] += 1 }
            if i < bounds.count - 1 { segments.append(active.keys.sorted()) }
        }
        return (bounds, segments)
    }

    private static func appendRules(_ rules: [Int32], to pool: inout [Int32]) -> PoolSlice {
        let slice = PoolSlice(start: Int32(pool.count), count: Int32(rules.count))
        pool += rules
        return slice
    }
}

extension Array where Element == Int32 {
    /// Appends unless the last element is already `value` (rules arrive in ascending order).
    fileprivate mutating func appendUnique(_ value: Int32) {
        if last != value { append(value) }
    }
}
