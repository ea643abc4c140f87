/// The parts of `nft -j list ruleset` the importer reads: chains, named sets and rules, in the
/// order nft listed them.
public struct NftRuleset: Sendable, Hashable {
    /// Every chain of every table.
    public var chains: [NftChain]
    /// Every named set and map.
    public var sets: [NftSet]
    /// Every rule, chain by chain in nft's order.
    public var rules: [NftRule]

    /// Reads the JSON document (`{"nftables": [ {"metainfo": ...}, {"table": ...}, ... ]}`).
    public init(json: JSONValue) throws(ImportError) {
        guard let items = json["nftables"]?.array else {
            throw .notARuleset("no top-level \"nftables\" array")
        }
        chains = []
        sets = []
        rules = []
        for item in items {
            guard let member = item.single else { throw .notARuleset("an element that is not a one-key object") }
            let object = member.value
            switch member.key {
            case "chain": chains.append(try NftChain(object))
            case "set", "map": sets.append(try NftSet(object, isMap: member.key == "map"))
            case "rule": rules.append(try NftRule(object))
            default: continue
            }
        }
        markSetsFilledByRules()
    }

    /// nft's JSON may not list a set's `dynamic` flag: a set some rule adds to or updates
    /// (`update @m { ip saddr ... }`) is filled by the packet path all the same.
    private mutating func markSetsFilledByRules() {
        for rule in rules {
            for expression in rule.expressions {
                guard let update = expression["set"], update["op"] != nil,
                    let target = update["set"]?.string, target.hasPrefix("@")
                else { continue }
                let name = String(target.dropFirst())
                for index in sets.indices
                where sets[index].name == name && sets[index].family == rule.family && sets[index].table == rule.table {
                    sets[index].isFilledByRules = true
                }
            }
        }
    }

    /// The rules of one chain, in order.
    public func rules(of chain: NftChain) -> [NftRule] {
        rules.filter { $0.family == chain.family && $0.table == chain.table && $0.chain == chain.name }
    }

    /// The chain `name` in the same table as `sibling`.
    public func chain(named name: String, besides sibling: NftChain) -> NftChain? {
        chains.first { $0.family == sibling.family && $0.table == sibling.table && $0.name == name }
    }

    /// The named set `name` in the table of `chain`.
    public func set(named name: String, in chain: NftChain) -> NftSet? {
        sets.first { $0.family == chain.family && $0.table == chain.table && $0.name == name }
    }
}

/// Reads a required string member.
private func required(_ object: JSONValue, _ key: String, in what: String) throws(ImportError) -> String {
    guard let text = object[key]?.string else { throw .notARuleset("a \(what) without \"\(key)\"") }
    return text
}

/// A chain: a base chain (with `type`, `hook`, `policy`) or a regular one (jumped to).
public struct NftChain: Sendable, Hashable {
    /// The table's family: `bridge`, `inet`, `ip`, `ip6`, `arp`, `netdev`.
    public var family: String
    /// The table's name.
    public var table: String
    /// Its name.
    public var name: String
    /// `filter`, `nat` or `route` (base chains only).
    public var type: String?
    /// `forward`, `input`, `prerouting`... (base chains only).
    public var hook: String?
    /// The hook priority (base chains only).
    public var priority: Int?
    /// `accept` or `drop` (base chains only).
    public var policy: String?

    init(_ object: JSONValue) throws(ImportError) {
        family = try required(object, "family", in: "chain")
        table = try required(object, "table", in: "chain")
        name = try required(object, "name", in: "chain")
        type = object["type"]?.string
        hook = object["hook"]?.string
        priority = object["prio"]?.integer
        policy = object["policy"]?.string
    }

    /// A chain, as a test or caller builds one.
    public init(
        family: String, table: String, name: String, type: String? = nil, hook: String? = nil, policy: String? = nil
    ) {
        self.family = family
        self.table = table
        self.name = name
        self.type = type
        self.hook = hook
        self.policy = policy
    }

    /// A base chain is hooked into the packet path; a regular one is only jumped to.
    public var isBase: Bool { hook != nil }

    /// `family table name`, as nft names it in messages.
    public var qualifiedName: String { "\(family) \(table) \(name)" }
}

/// A named set or map: its key type, flags and elements (JSON values, as in a rule's `set`).
public struct NftSet: Sendable, Hashable {
    /// The table's family: `bridge`, `inet`, `ip`, `ip6`, `arp`, `netdev`.
    public var family: String
    /// The table's name.
    public var table: String
    /// Its name.
    public var name: String
    /// `ipv4_addr`, or the parts of a concatenated type (`ipv4_addr . inet_service`).
    public var type: [String]
    /// `interval`, `constant`, `dynamic`, `timeout`...
    public var flags: [String]
    /// Elements as nft lists them (values, prefixes, ranges; `[key, verdict]` pairs in a map).
    public var elements: [JSONValue]
    /// A map (`vmap @name` reads it) rather than a set.
    public var isMap: Bool
    /// A rule adds to or updates the set from the packet path.
    public var isFilledByRules = false
    /// `size N` (nil: not given).
    public var size: Int?
    /// `timeout` in seconds, as nft's JSON gives it (nil: not given).
    public var timeout: Int?

    init(_ object: JSONValue, isMap: Bool) throws(ImportError) {
        family = try required(object, "family", in: "set")
        table = try required(object, "table", in: "set")
        name = try required(object, "name", in: "set")
        if let single = object["type"]?.string {
            type = [single]
        } else {
            type = object["type"]?.array?.compactMap(\.string) ?? []
        }
        if let single = object["flags"]?.string {
            flags = [single]
        } else {
            flags = object["flags"]?.array?.compactMap(\.string) ?? []
        }
        elements = object["elem"]?.array ?? []
        size = object["size"]?.integer
        timeout = object["timeout"]?.integer
        self.isMap = isMap
    }

    /// A set the packet path fills (`flags dynamic`, or a meter): it has no fixed elements.
    public var isDynamic: Bool { flags.contains("dynamic") || isFilledByRules }
}

/// A rule: its place, its comment and its expressions (matches and statements, in order).
public struct NftRule: Sendable, Hashable {
    /// The table's family: `bridge`, `inet`, `ip`, `ip6`, `arp`, `netdev`.
    public var family: String
    /// The table's name.
    public var table: String
    /// The chain it belongs to.
    public var chain: String
    /// nft's handle, unique in the table (names rules that have no comment).
    public var handle: Int?
    /// The rule's `comment`.
    public var comment: String?
    /// Its matches and statements, in order.
    public var expressions: [JSONValue]

    init(_ object: JSONValue) throws(ImportError) {
        family = try required(object, "family", in: "rule")
        table = try required(object, "table", in: "rule")
        chain = try required(object, "chain", in: "rule")
        handle = object["handle"]?.integer
        comment = object["comment"]?.string
        expressions = object["expr"]?.array ?? []
    }

    /// A rule, as a test or caller builds one.
    public init(
        family: String, table: String, chain: String, handle: Int?, comment: String? = nil, expressions: [JSONValue]
    ) {
        self.family = family
        self.table = table
        self.chain = chain
        self.handle = handle
        self.comment = comment
        self.expressions = expressions
    }
}
