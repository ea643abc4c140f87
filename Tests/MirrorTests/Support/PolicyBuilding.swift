import Frame
import Mirror
import Policy

/// Terse builders for checked policies (the parser is written elsewhere; these make the AST
/// directly).
enum P {
    static func at(_ line: Int, _ column: Int = 1) -> SourceLocation {
        SourceLocation(file: "test.policy", line: line, column: column)
    }

    static func value(_ value: UInt128) -> ValueInterval { ValueInterval(value) }
    static func range(_ lo: UInt128, _ hi: UInt128) -> ValueInterval { ValueInterval(lo: lo, hi: hi) }

    static func ip4(_ text: String) -> UInt128 { UInt128(AddressText.parseIPv4(Substring(text))!) }
    static func ip6(_ text: String) -> UInt128 { AddressText.parseIPv6(Substring(text))! }
    static func mac(_ text: String) -> UInt128 { UInt128(AddressText.parseMAC(Substring(text))!) }

    /// `a.b.c.d/len` or `a.b.c.d`.
    static func v4(_ text: String) -> ValueInterval {
        let parts = text.split(separator: "/")
        let address = ip4(String(parts[0]))
        guard parts.count == 2 else { return ValueInterval(address) }
        return ValueInterval(prefix: address, length: Int(parts[1])!, bitWidth: 32)
    }

    static func v6(_ text: String) -> ValueInterval {
        let parts = text.split(separator: "/")
        let address = ip6(String(parts[0]))
        guard parts.count == 2 else { return ValueInterval(address) }
        return ValueInterval(prefix: address, length: Int(parts[1])!, bitWidth: 128)
    }

    static func field(
        _ field: Field, _ values: ValueInterval..., negated: Bool = false, set: String? = nil, line: Int = 1
    ) -> MatchTerm {
        .field(FieldMatch(field: field, negated: negated, values: values, setName: set, location: at(line, 5)))
    }

    static func fieldValues(
        _ field: Field, _ values: [ValueInterval], negated: Bool = false, set: String? = nil, line: Int = 1
    ) -> MatchTerm {
        .field(FieldMatch(field: field, negated: negated, values: values, setName: set, location: at(line, 5)))
    }

    static func bpf(_ expression: String) -> MatchTerm {
        .bpf(BPFMatch(expression: expression, program: [], location: at(1, 5)))
    }

    static func rule(
        _ name: String, _ match: [MatchTerm], _ statements: [StatementKind] = [], _ verdict: VerdictKind = .drop,
        options: VerdictOptions = VerdictOptions(), line: Int = 1
    ) -> Rule {
        Rule(
            name: name, match: match, statements: statements.map { Statement(kind: $0, location: at(line + 1)) },
            verdict: Verdict(kind: verdict, options: options, location: at(line + 2)), location: at(line))
    }

    static func policy(
        _ rules: [Rule], default verdict: DefaultVerdict = .forward, sets: [NamedSet] = [],
        defaults: VerdictOptions = VerdictOptions()
    ) -> Policy {
        Policy(defaultVerdict: verdict, defaultLocation: at(1), defaults: defaults, sets: sets, rules: rules)
    }

    /// The port names the tests' bridges use.
    static let ports = MirrorPorts(a: "pa", b: "pb")
}

extension MirrorPlan {
    /// The sets of the policy's own values (not the mirror's `bk.` sets for tagged frames).
    var policySets: [NftSet] { sets.filter { !$0.name.hasPrefix("bk.") } }
}
