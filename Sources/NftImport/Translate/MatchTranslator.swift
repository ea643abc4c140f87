/// nft's `match` expressions as match terms.
extension RuleDraft {
    /// One `{"match": {"op", "left", "right"}}`.
    mutating func translateMatch(_ match: JSONValue, context: inout TranslationContext) throws(Untranslatable) {
        guard let left = match["left"], let right = match["right"] else {
            throw Untranslatable("a match without left and right: \(match.text)")
        }
        let op = match["op"]?.string ?? "=="
        guard let (kind, inner) = left.single.map({ ($0.key, $0.value) }) else {
            throw Untranslatable("a match on \(left.text)")
        }
        switch kind {
        case "payload":
            guard let proto = inner["protocol"]?.string, let name = inner["field"]?.string else {
                throw Untranslatable("a raw payload match (@ll/@nh/@th offsets): the language names its fields")
            }
            let field = try PolicyField.payload(protocol: proto, field: name)
            if field.name == "tcp flags" { return try translateFlags(op: op, mask: 0xFF, right: right) }
            try compare(field, op: op, right: right, context: &context)
        case "meta": try translateMeta(inner["key"]?.string ?? "", op: op, right: right, context: &context)
        case "ct":
            let key = inner["key"]?.string ?? ""
            guard key == "state" || key == "direction" else {
                throw Untranslatable(MeaninglessOnABridge.ct[key] ?? "ct \(key): the language has no such field")
            }
            try compare(PolicyField(name: "ct \(key)"), op: op == "in" ? "==" : op, right: right, context: &context)
        case "&":
            guard let parts = inner.array, parts.count == 2, parts[0]["payload"]?["field"]?.string == "flags",
                parts[0]["payload"]?["protocol"]?.string == "tcp"
            else { throw Untranslatable("a bitwise match on \(left.text): only tcp flags masks are in the language") }
            try translateFlags(op: op, mask: try FlagConstraint.bits(parts[1]), right: right)
        case "concat":
            guard let parts = inner.array else { throw Untranslatable("a concatenation without parts") }
            var names: [String] = []
            for part in parts {
                guard let payload = part["payload"], let proto = payload["protocol"]?.string,
                    let name = payload["field"]?.string
                else { throw Untranslatable("a concatenation of \(part.text)") }
                names.append(try PolicyField.payload(protocol: proto, field: name).name)
            }
            let field = PolicyField(name: names.joined(separator: " . "))
            try compare(field, op: op, right: right, context: &context)
        case "fib": throw Untranslatable("fib: a bridge makes no routing decision to look up")
        case "socket": throw Untranslatable("socket: forwarded frames belong to no local socket")
        case "osf": throw Untranslatable("osf: passive OS fingerprinting is not in the language")
        case "rt": throw Untranslatable("rt: routing data; a bridge routes nothing")
        case "tcp option": try translateTCPOption(inner, op: op, right: right, context: &context)
        case "exthdr", "ip option", "sctp chunk":
            throw Untranslatable("\(kind): header options and extension headers are not matched by the language")
        case "ipsec": throw Untranslatable("ipsec: a bridge decrypts nothing")
        default: throw Untranslatable("a match on \(kind): not in the language")
        }
    }

    /// `FIELD op VALUE` for one field.
    mutating func compare(
        _ field: PolicyField, op: String, right: JSONValue, context: inout TranslationContext
    ) throws(Untranslatable) {
        if let field = field.needs { needs.insert(field) }
        var valueText: String
        if let name = right.string, name.hasPrefix("@") {
            valueText = try setReference(String(name.dropFirst()), field: field, context: &context)
        } else {
            valueText = try ValueText.text(right, field: field)
        }
        switch op {
        case "==", "in": try addEqual(field.name, valueText)
        case "!=": addNotEqual(field, valueText)
        case "<", ">", "<=", ">=":
            guard let width = field.bitWidth, let bound = right.integer else {
                throw Untranslatable("\(field.name) \(op) \(right.text): an ordering only works on numbers")
            }
            let maxValue = (1 << width) - 1
            let range: ClosedRange<Int>?
            switch op {
            case "<": range = bound > 0 ? 0...min(bound - 1, maxValue) : nil
            case "<=": range = 0...min(bound, maxValue)
            case ">": range = bound < maxValue ? (bound + 1)...maxValue : nil
            default: range = bound <= maxValue ? bound...maxValue : nil
            }
            guard range != nil else { throw Untranslatable("\(field.name) \(op) \(bound): no value can match") }
            guard bound >= 0, bound <= maxValue else {
                throw Untranslatable("\(field.name) \(op) \(bound): the bound is outside the field's \(width) bits")
            }
            addOrdering(field.name, op, bound)
        default: throw Untranslatable("the comparison '\(op)' is not in the language")
        }
    }

    /// `@name`: the set declared (or, for an interface-name set, its names written inline).
    private mutating func setReference(
        _ name: String, field: PolicyField, context: inout TranslationContext
    ) throws(Untranslatable) -> String {
        guard let set = context.ruleset.set(named: name, in: context.chain) else {
            throw Untranslatable("@\(name) is not declared in table \(context.chain.family) \(context.chain.table)")
        }
        guard !set.isDynamic || set.type.count == 1 else {
            throw Untranslatable("@\(name) is a dynamic set of a concatenation, which the language does not have")
        }
        context.use(set: name)
        return "@" + PolicySetName.of(name)
    }

    /// `meta KEY op VALUE`.
    private mutating func translateMeta(
        _ key: String, op: String, right: JSONValue, context: inout TranslationContext
    ) throws(Untranslatable) {
        switch key {
        case "l4proto":
            try compare(
                PolicyField.protocolField("meta l4proto", dependency: nil), op: op, right: right, context: &context)
        case "length":
            try compare(PolicyField(name: "meta length", bitWidth: 16), op: op, right: right, context: &context)
        case "protocol":
            try compare(
                PolicyField(name: "ether type", bitWidth: 16, valueNames: PolicyField.etherTypeNames), op: op,
                right: right, context: &context)
        case "nfproto":
            try compare(
                PolicyField(name: "ether type", valueNames: PolicyField.etherTypeNames), op: op, right: right,
                context: &context)
        case "pkttype":
            try compare(
                PolicyField(name: "meta pkttype"), op: op, right: right, context: &context)
        case "iifname", "oifname", "iif", "oif":
            try translateInterface(output: key.hasPrefix("o"), op: op, right: right, context: &context)
        default: throw Untranslatable(MeaninglessOnABridge.meta[key] ?? "meta \(key): the language has no such field")
        }
    }

    /// `iifname`/`oifname`: a port when the port names are known, else kept by name.
    private mutating func translateInterface(
        output: Bool, op: String, right: JSONValue, context: inout TranslationContext
    ) throws(Untranslatable) {
        var names: [String]
        if let single = right.string {
            if single.hasPrefix("@") {
                let setName = String(single.dropFirst())
                guard let set = context.ruleset.set(named: setName, in: context.chain) else {
                    throw Untranslatable("@\(setName) is not declared")
                }
                names = set.elements.compactMap { $0.string ?? $0["elem"]?["val"]?.string }
            } else {
                names = [single]
            }
        } else {
            names = (right["set"]?.array ?? right.array ?? []).compactMap(\.string)
        }
        guard !names.isEmpty, op == "==" || op == "!=" || op == "in" else {
            throw Untranslatable("an interface match on \(right.text)")
        }
        let negated = op == "!="
        if names.contains("lo") && !negated {
            throw Untranslatable(
                "loopback (\(output ? "oif" : "iif") lo): a bridge never forwards the host's own loopback")
        }
        names.removeAll { $0 == "lo" }
        if names.isEmpty { return }
        guard let ports = context.ports else {
            needs.insert("iifname/oifname")
            let field = output ? "oifname" : "iifname"
            let text =
                names.count == 1
                ? ValueText.quoted(names[0]) : "{ " + names.map(ValueText.quoted).joined(separator: ", ") + " }"
            if negated { terms.append("\(field) != \(text)") } else { try addEqual(field, text) }
            return
        }
        // A frame leaves by one port exactly when it arrived by the other.
        var matched: Set<String> = []
        for name in names {
            for (port, interface) in [("a", ports.a), ("b", ports.b)]
            where InterfaceName.matches(pattern: name, interface) {
                matched.insert(output ? (port == "a" ? "b" : "a") : port)
            }
        }
        if matched.count == 2 {
            if negated { throw Untranslatable("\(output ? "oifname" : "iifname") != both ports: no frame matches") }
            return
        }
        guard let port = matched.first else {
            if negated { return }
            throw Untranslatable(
                "\(output ? "oifname" : "iifname") \(names.joined(separator: ", ")) is neither port (a: \(ports.a), b: \(ports.b)): no frame crossing the bridge matches"
            )
        }
        try addPort(negated ? (port == "a" ? "b" : "a") : port)
    }

    /// `iif PORT`, once: `iifname "eth0" oifname "eth1"` both say the frame came by a.
    private mutating func addPort(_ port: String) throws(Untranslatable) {
        if let earlier = arrivalPort {
            guard earlier == port else { throw Untranslatable("no frame arrives by both ports") }
            return
        }
        arrivalPort = port
        try addEqual("iif", port)
    }

    /// `tcp flags` compared under a mask (all eight bits without `&`).
    mutating func translateFlags(op: String, mask: UInt8, right: JSONValue) throws(Untranslatable) {
        let value = try FlagConstraint.bits(right)
        switch op {
        case "in" where mask == 0xFF:
            // `tcp flags syn`: the bits are set (nft 1.0's shorthand for flags & syn == syn);
            // a list: any of them is set.
            if right.array != nil, value.nonzeroBitCount > 1 {
                try flags.requireAny(of: value)
            } else {
                try flags.require(set: value, clear: 0)
            }
        case "==", "in": try flags.require(set: value, clear: mask & ~value)
        case "!=" where value == 0: try flags.requireAny(of: mask)
        case "!=" where mask.nonzeroBitCount == 1 && value == mask: try flags.require(set: 0, clear: mask)
        default:
            let masked =
                mask == 0xFF ? "tcp flags" : "tcp flags & (\(FlagConstraint.names(of: mask).joined(separator: "|")))"
            let compared = value == 0 ? "0" : FlagConstraint.names(of: value).joined(separator: "|")
            throw Untranslatable("\(masked) \(op) \(compared): the language tests bits set or clear only")
        }
    }
}

/// nft's interface-name wildcard: a trailing `*` matches by prefix.
enum InterfaceName {
    static func matches(pattern: String, _ name: String) -> Bool {
        pattern.hasSuffix("*") ? name.hasPrefix(pattern.dropLast()) : pattern == name
    }
}

/// nft set names as policy set names: ASCII letters, digits, `_` and `-`, starting with a
/// letter or `_` (anything else becomes `_`).
enum PolicySetName {
    static func of(_ name: String) -> String {
        let kept = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") ? $0 : "_" })
        return kept.first.map { $0.isLetter || $0 == "_" } == true ? kept : "_" + kept
    }
}
