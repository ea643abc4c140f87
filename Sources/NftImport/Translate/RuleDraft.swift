/// The interface names of the bridge's ports, to turn `iifname "eth0"` into `iif a`.
public struct PortNames: Sendable, Hashable {
    /// The interface of port a (`--port-a`).
    public var a: String
    /// The interface of port b (`--port-b`).
    public var b: String
    /// The two ports by interface name.
    public init(a: String, b: String) {
        self.a = a
        self.b = b
    }
}

/// What one nft rule becomes, built up expression by expression.
struct RuleDraft: Sendable {
    /// Match terms, in nft's order (stateful terms too: the language tries them last anyway).
    var terms: [String] = []
    /// Statements that run before the verdict.
    var statements: [String] = []
    /// `forward`, `drop`, `reject with ...`, `jump NAME`, `goto NAME`, `return`; nil: goes on.
    var verdict: String?
    /// A verdict map: the rule becomes one rule per element.
    var verdictMap: VerdictMap?
    /// `#` lines above the rule: statements left out and why.
    var notes: [String] = []
    /// Constructs this Bridgekeeper does not have yet (for the importer's report).
    var needs: Set<String> = []
    /// Fields matched with `==` (a second one on the same field would be an error).
    var equalFields: Set<String> = []
    /// Fields matched with `<`, `>`, `<=` or `>=` (any number of them; they imply the protocol as
    /// `==` does).
    var orderedFields: Set<String> = []
    /// nft's implicit protocol terms for fields matched only with `!=`.
    var dependencies: [String] = []
    /// `tcp flags` conditions, merged into at most one `==` term and one `!=` term.
    var flags = FlagConstraint()
    /// The port the interface terms say the frame arrived by.
    var arrivalPort: String?
    /// Chains this rule jumps or goes to.
    var targets: [String] = []

    /// `FIELD vmap { VALUE : VERDICT, ... }`.
    struct VerdictMap: Sendable {
        var field: String
        var elements: [(value: String, verdict: String)]
    }

    /// Adds an `==` term, refusing a second one on one field (the language would reject it).
    mutating func addEqual(_ field: String, _ value: String) throws(Untranslatable) {
        guard !equalFields.contains(field) else {
            throw Untranslatable("\(field) is matched twice with ==; merge the values into one set")
        }
        equalFields.insert(field)
        terms.append("\(field) \(value)")
    }

    /// Adds an ordering term as nft writes it (`tcp dport > 1023`).
    mutating func addOrdering(_ field: String, _ ordering: String, _ bound: Int) {
        orderedFields.insert(field)
        terms.append("\(field) \(ordering) \(bound)")
    }

    mutating func addNotEqual(_ field: PolicyField, _ value: String) {
        terms.append("\(field.name) != \(value)")
        if let dependency = field.dependency, !dependencies.contains(dependency) { dependencies.append(dependency) }
    }

    /// The match line: the terms, then the flag terms, then the dependencies no `==` term
    /// already implies.
    func matchTerms() -> [String] {
        var all = terms + flags.terms()
        let implied: [String: [String]] = [
            "ether type ip": ["ip ", "ether type"], "ether type ip6": ["ip6 ", "ether type"],
            "ether type arp": ["arp ", "ether type"], "meta l4proto tcp": ["tcp ", "meta l4proto"],
            "meta l4proto udp": ["udp ", "meta l4proto"], "meta l4proto icmp": ["icmp ", "meta l4proto"],
            "meta l4proto icmpv6": ["icmpv6 ", "meta l4proto"], "vlan id 0-4095": ["vlan "],
            "tcp option maxseg size 0-65535": ["tcp option maxseg size"],
        ]
        var added: [String] = []
        for dependency in dependencies {
            let prefixes = implied[dependency] ?? []
            let given = equalFields.union(orderedFields).contains { field in prefixes.contains { field.hasPrefix($0) } }
            let flagsGiven = dependency == "meta l4proto tcp" && flags.mustSet | flags.anyOfMask != 0
            if !given && !flagsGiven { added.append(dependency) }
        }
        all = added + all
        return all
    }
}

/// `tcp flags` conditions: bits that must be set, bits that must be clear, or one group of
/// which any bit must be set.
struct FlagConstraint: Sendable, Hashable {
    var mustSet: UInt8 = 0
    var mustClear: UInt8 = 0
    var anyOfMask: UInt8 = 0

    static let names: [(String, UInt8)] = [
        ("fin", 0x01), ("syn", 0x02), ("rst", 0x04), ("psh", 0x08), ("ack", 0x10), ("urg", 0x20), ("ecn", 0x40),
        ("cwr", 0x80),
    ]

    static func names(of bits: UInt8) -> [String] {
        names.filter { bits & $0.1 != 0 }.map(\.0)
    }

    /// The bits a JSON flag value names: `"syn"`, `["syn", "ack"]`, `{"|": [...]}` or a number.
    static func bits(_ value: JSONValue) throws(Untranslatable) -> UInt8 {
        switch value {
        case .number:
            guard let n = value.integer, (0...255).contains(n) else { break }
            return UInt8(n)
        case .string(let name):
            guard let bit = names.first(where: { $0.0 == name })?.1 else { break }
            return bit
        case .array(let items):
            var all: UInt8 = 0
            for item in items { all |= try bits(item) }
            return all
        case .object:
            if let items = value["|"]?.array { return try bits(.array(items)) }
            if value["set"] != nil {
                throw Untranslatable(
                    "tcp flags in a set of exact values \(value.text): the language tests bits set or clear only")
            }
        default: break
        }
        throw Untranslatable("tcp flags value \(value.text) is not a set of flag names")
    }

    func terms() -> [String] {
        var out: [String] = []
        if mustSet != 0 {
            out.append("tcp flags " + Self.names(of: mustSet).joined(separator: "|"))
        } else if anyOfMask != 0 {
            let names = Self.names(of: anyOfMask)
            out.append("tcp flags " + (names.count == 1 ? names[0] : "{ " + names.joined(separator: ", ") + " }"))
        }
        if mustClear != 0 {
            let names = Self.names(of: mustClear)
            out.append("tcp flags != " + (names.count == 1 ? names[0] : "{ " + names.joined(separator: ", ") + " }"))
        }
        return out
    }

    mutating func require(set: UInt8, clear: UInt8) throws(Untranslatable) {
        guard set & clear == 0, (mustSet | set) & (mustClear | clear) == 0 else {
            throw Untranslatable("tcp flags conditions that no frame meets")
        }
        mustSet |= set
        mustClear |= clear
        guard mustSet == 0 || anyOfMask == 0 else {
            throw Untranslatable("tcp flags: set bits and an any-of group on one rule")
        }
    }

    mutating func requireAny(of bits: UInt8) throws(Untranslatable) {
        guard anyOfMask == 0, mustSet == 0 else { throw Untranslatable("tcp flags: two any-of groups on one rule") }
        anyOfMask = bits
    }
}
