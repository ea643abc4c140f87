/// nft's TCP option expressions: the maximum segment size, matched (`tcp option maxseg size`,
/// `exists`, `missing`) and clamped (`tcp option maxseg size set N | rt mtu`). Other options are
/// not in the language.
extension PolicyField {
    /// `tcp option maxseg size`. nft's `!=` holds only for a segment that has the option; the
    /// policy's also for one without it, so a rule that only excludes values says it exists.
    static let segmentSize = PolicyField(
        name: "tcp option maxseg size", bitWidth: 16, dependency: "tcp option maxseg size 0-65535", isRewritable: true)
}

extension RuleDraft {
    /// A match whose left side is `{"tcp option": {"name": ..., "field": ...}}`.
    mutating func translateTCPOption(
        _ option: JSONValue, op: String, right: JSONValue, context: inout TranslationContext
    ) throws(Untranslatable) {
        let name = option["name"]?.string ?? ""
        guard name == "maxseg" else {
            throw Untranslatable("tcp option \(name): the only TCP option in the language is maxseg")
        }
        switch option["field"]?.string {
        case "size":
            try compare(.segmentSize, op: op, right: right, context: &context)
        case nil:
            // `exists` and `missing`: a boolean compared with == or !=.
            guard case .bool(let wanted) = right, op == "==" || op == "!=" else {
                throw Untranslatable("tcp option maxseg \(op) \(right.text)")
            }
            if wanted == (op == "==") {
                try addEqual(PolicyField.segmentSize.name, "0-65535")
            } else {
                terms.append("\(PolicyField.segmentSize.name) != 0-65535")
            }
        case let field?:
            throw Untranslatable("tcp option maxseg \(field): the language reads the MSS option's size only")
        }
    }

    /// `tcp option maxseg size set VALUE`, the value a number or `rt mtu` (the outgoing port's MTU
    /// less the headers, on a bridge).
    mutating func translateTCPOptionMangle(_ option: JSONValue, value: JSONValue) throws(Untranslatable) {
        guard option["name"]?.string == "maxseg", option["field"]?.string == "size" else {
            throw Untranslatable("a rewrite of tcp option \(option.text): only maxseg size can be set")
        }
        if value["rt"]?["key"]?.string == "mtu" {
            statements.append("tcp option maxseg size set rt mtu")
            notes.append(
                "tcp option maxseg size set rt mtu clamps to the MTU of the port the frame leaves by, less the IP "
                    + "and TCP headers: a bridge has no route")
            return
        }
        guard let size = value.integer, (0...0xffff).contains(size) else {
            throw Untranslatable("tcp option maxseg size set \(value.text): a number from 0 to 65535, or rt mtu")
        }
        statements.append("tcp option maxseg size set \(size)")
    }
}
