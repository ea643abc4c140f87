import Policy

/// nft's statements and verdicts as policy terms, statements and verdicts.
extension RuleDraft {
    /// One expression of a rule that is not a `match`.
    mutating func translateStatement(
        _ key: String, _ body: JSONValue, context: inout TranslationContext
    ) throws(Untranslatable) {
        guard verdict == nil, verdictMap == nil else {
            throw Untranslatable("\(key) after the verdict: nft never runs it")
        }
        switch key {
        case "counter": return  // every rule counts already
        case "accept": verdict = "forward"
        case "drop": verdict = "drop"
        case "reject": verdict = try Self.reject(body)
        case "jump", "goto":
            guard let target = body["target"]?.string else { throw Untranslatable("\(key) without a target") }
            verdict = "\(key) \(ChainName.text(target))"
            targets.append(target)
            needs.insert("chains")
        case "return":
            if context.inBaseChain {
                verdict = context.defaultVerdict
            } else {
                verdict = "return"
                needs.insert("chains")
            }
        case "continue": return
        case "log": translateLog(body)
        case "limit": terms.append(try Self.limit(body, per: nil))
        case "quota": terms.append(try Self.quota(body))
        case "set" where body["stmt"] == nil: try translateSetUpdate(body, context: &context)
        case "set", "meter": terms.append(try Self.meter(key, body))
        case "mangle": try translateMangle(body)
        case "vmap": try translateVerdictMap(body, context: &context)
        case "notrack": notes.append("notrack left out: the bridge's flow table tracks only what a ct match needs")
        case "flow": notes.append("flow add @\(body["flowtable"]?.string ?? "") left out: flow offload is the host's")
        case "ct helper": notes.append("ct helper set left out: the flow table runs no protocol helpers")
        case "dup": notes.append("dup left out: use mirror \"IF\" to copy frames to an interface")
        case "queue": throw Untranslatable("queue: frames are not handed to a userspace queue")
        case "snat", "dnat", "masquerade", "redirect":
            throw Untranslatable("\(key): NAT; a transparent bridge rewrites no addresses for routing")
        case "fwd": throw Untranslatable("fwd: frames leave by the other port only")
        case "tproxy", "synproxy": throw Untranslatable("\(key): needs the host's own sockets")
        case "xt": throw Untranslatable("an iptables extension (xt) the language does not know")
        default: throw Untranslatable("the statement \(key): not in the language")
        }
    }

    /// `log [prefix "P"] [level L] [flags F,...]`, as the language spells them; NFLOG's
    /// `group`, `snaplen` and `queue-threshold` (and a level or flag the language does not
    /// know, such as `audit`) are left out with a note.
    mutating func translateLog(_ body: JSONValue) {
        var text = "log"
        if let prefix = body["prefix"]?.string, !prefix.isEmpty { text += " prefix \(ValueText.quoted(prefix))" }
        if let level = body["level"]?.string {
            if LogLevel(rawValue: level) != nil {
                text += " level \(level)"
            } else {
                notes.append(
                    "log level \(level) left out: the levels are \(LogLevel.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
        }
        if let flags = body["flags"] {
            let names = flags.string.map { [$0] } ?? flags.array?.compactMap(\.string) ?? []
            let known = names.filter(Self.isLogFlag)
            if !known.isEmpty { text += " flags \(known.joined(separator: ","))" }
            let unknown = names.filter { !Self.isLogFlag($0) }
            if !unknown.isEmpty {
                notes.append("log flags \(unknown.joined(separator: ", ")) left out: not nft log flags")
            }
        }
        statements.append(text)
        let nflog = ["group", "snaplen", "queue-threshold"].filter { body[$0] != nil }
        if !nflog.isEmpty {
            notes.append(
                "log \(nflog.joined(separator: ", ")) left out: Bridgekeeper writes its own log lines, not NFLOG messages"
            )
        }
    }

    /// `all`, `ether`, `skuid`, `tcp sequence`, `tcp options`, `ip options`: nft's log flags as its
    /// JSON writes them.
    static func isLogFlag(_ name: String) -> Bool {
        ["all", "ether", "skuid", "tcp sequence", "tcp options", "ip options"].contains(name)
    }

    /// `reject`, `reject with tcp reset`, `reject with icmp|icmpv6|icmpx type NAME`.
    static func reject(_ body: JSONValue) throws(Untranslatable) -> String {
        guard let type = body["type"]?.string else { return "reject" }
        if type == "tcp reset" { return "reject with tcp reset" }
        guard ["icmp", "icmpv6", "icmpx"].contains(type) else { throw Untranslatable("reject with \(type)") }
        let code = body["expr"]?.string ?? body["expr"]?.integer.map(String.init) ?? "port-unreachable"
        return "reject with \(type) type \(code)"
    }

    /// `limit rate [over] N/UNIT [burst B packets|UNIT] [per KEY]`.
    static func limit(_ body: JSONValue, per key: String?) throws(Untranslatable) -> String {
        guard let rate = body["rate"]?.integer else { throw Untranslatable("a limit without a rate") }
        let per = body["per"]?.string ?? "second"
        var text = "limit rate"
        if body["inv"] == .bool(true) { text += " over" }
        if let unit = body["rate_unit"]?.string, unit != "packets" {
            text += " \(rate) \(unit)/\(per)"
            if let burst = body["burst"]?.integer, burst > 0 {
                text += " burst \(burst) \(body["burst_unit"]?.string ?? "bytes")"
            }
        } else {
            text += " \(rate)/\(per)"
            if let burst = body["burst"]?.integer, burst > 0 { text += " burst \(burst) packets" }
        }
        if let key { text += " per \(key)" }
        return text
    }

    /// `quota [over|until] N UNIT`.
    static func quota(_ body: JSONValue) throws(Untranslatable) -> String {
        guard let value = body["val"]?.integer else { throw Untranslatable("a quota without a size") }
        let unit = body["val_unit"]?.string ?? "bytes"
        return "quota \(body["inv"] == .bool(true) ? "over" : "until") \(value) \(unit)"
    }

    /// nft's meter (`update @m { ip saddr limit rate ... }`, or the older `meter m { ... }`)
    /// as a limit per key.
    static func meter(_ key: String, _ body: JSONValue) throws(Untranslatable) -> String {
        let keyExpression = key == "meter" ? body["key"] : body["elem"]
        let statement: JSONValue? = body["stmt"].flatMap { $0.array?.first ?? $0 }
        guard let keyExpression, let limitBody = statement?["limit"] else {
            let target = body["set"]?.string ?? body["name"]?.string ?? ""
            let setName = target.hasPrefix("@") ? String(target.dropFirst()) : target
            throw Untranslatable(
                "adding to a set from the packet path (\(key == "meter" ? "meter" : body["op"]?.string ?? "add") @\(setName)): the language has meters (limit ... per KEY) only"
            )
        }
        let parts = keyExpression["concat"]?.array ?? [keyExpression]
        var names: [String] = []
        for part in parts {
            if let payload = part["payload"], let proto = payload["protocol"]?.string,
                let field = payload["field"]?.string
            {
                names.append(try PolicyField.payload(protocol: proto, field: field).name)
            } else if part["meta"]?["key"]?.string == "l4proto" {
                names.append("meta l4proto")
            } else {
                throw Untranslatable("a meter keyed by \(part.text)")
            }
        }
        return try limit(limitBody, per: names.joined(separator: " . "))
    }

    /// `FIELD set VALUE`; marks and priorities are the host's and are left out with a note.
    mutating func translateMangle(_ body: JSONValue) throws(Untranslatable) {
        guard let key = body["key"], let value = body["value"] else { throw Untranslatable("a mangle without key") }
        if let payload = key["payload"], let proto = payload["protocol"]?.string, let name = payload["field"]?.string {
            let field = try PolicyField.payload(protocol: proto, field: name)
            guard field.isRewritable else { throw Untranslatable("\(field.name) set: the field cannot be rewritten") }
            statements.append("\(field.name) set \(try ValueText.element(value, field: field))")
            return
        }
        if let option = key["tcp option"] { return try translateTCPOptionMangle(option, value: value) }
        let what = key["meta"]?["key"]?.string.map { "meta \($0)" } ?? key["ct"]?["key"]?.string.map { "ct \($0)" }
        guard let what else { throw Untranslatable("a rewrite of \(key.text)") }
        notes.append("\(what) set left out: the host's packet metadata, which a bridge's frames never carry out")
    }

    /// `FIELD vmap { VALUE : VERDICT, ... }`: one rule per element when written.
    mutating func translateVerdictMap(_ body: JSONValue, context: inout TranslationContext) throws(Untranslatable) {
        guard let key = body["key"], let data = body["data"] else { throw Untranslatable("a vmap without key") }
        var probe = RuleDraft()
        try probe.translateMatch(
            .object([
                JSONMember(key: "op", value: .string("==")), JSONMember(key: "left", value: key),
                JSONMember(key: "right", value: .number("0")),
            ]), context: &context)
        guard let field = probe.terms.first?.dropLast(2) else {
            throw Untranslatable("a vmap on \(key.text): not a field the language matches")
        }
        needs.formUnion(probe.needs)
        var pairs: [JSONValue]
        if let name = data.string, name.hasPrefix("@") {
            guard let map = context.ruleset.set(named: String(name.dropFirst()), in: context.chain) else {
                throw Untranslatable("the map \(name) is not declared")
            }
            pairs = map.elements
        } else {
            pairs = data["set"]?.array ?? []
        }
        var elements: [(value: String, verdict: String)] = []
        for pair in pairs {
            guard let items = pair.array, items.count == 2, let verdictMember = items[1].single else {
                throw Untranslatable("a vmap element \(pair.text)")
            }
            var element = RuleDraft()
            try element.translateStatement(verdictMember.key, verdictMember.value, context: &context)
            guard let verdict = element.verdict else { throw Untranslatable("a vmap element without a verdict") }
            targets += element.targets
            needs.formUnion(element.needs)
            elements.append((try ValueText.element(items[0], field: PolicyField(name: String(field))), verdict))
        }
        guard !equalFields.contains(String(field)) else {
            throw Untranslatable("\(field) is matched and mapped in one rule")
        }
        verdictMap = VerdictMap(field: String(field), elements: elements)
    }
}

/// Chain names as the policy writes them: a bare word when nft's name is one, else quoted.
enum ChainName {
    static func text(_ name: String) -> String {
        let bare =
            !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
        return bare ? name : ValueText.quoted(name)
    }
}
