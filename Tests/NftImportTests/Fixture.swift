import Foundation
import Loader
import NftImport

/// Rulesets written as nft's JSON, for tests of one construct at a time.
enum Fixture {
    /// The JSON of an inet table with a forward chain holding `rules` (each the JSON array of a
    /// rule's expressions, handles 1, 2, ...), `chains` (name: rules) and named `sets`.
    static func json(
        _ rules: [String], chains: [(String, [String])] = [], sets: [String] = [], policy: String = "accept",
        comments: [Int: String] = [:]
    ) -> String {
        var items = [#"{"metainfo": {"version": "1.0.6", "json_schema_version": 1}}"#]
        items.append(#"{"table": {"family": "inet", "name": "filter", "handle": 1}}"#)
        items += sets
        items.append(
            #"{"chain": {"family": "inet", "table": "filter", "name": "forward", "handle": 1, "type": "filter", "hook": "forward", "prio": 0, "policy": "\#(policy)"}}"#
        )
        for (name, _) in chains {
            items.append(#"{"chain": {"family": "inet", "table": "filter", "name": "\#(name)", "handle": 2}}"#)
        }
        var handle = 1
        func rule(_ chain: String, _ expressions: String) -> String {
            defer { handle += 1 }
            let comment = comments[handle].map { #", "comment": "\#($0)""# } ?? ""
            return
                #"{"rule": {"family": "inet", "table": "filter", "chain": "\#(chain)", "handle": \#(handle)\#(comment), "expr": \#(expressions)}}"#
        }
        for expressions in rules { items.append(rule("forward", expressions)) }
        for (name, chainRules) in chains {
            for expressions in chainRules { items.append(rule(name, expressions)) }
        }
        return #"{"nftables": ["# + items.joined(separator: ",\n") + "]}"
    }

    static func imported(
        _ rules: [String], chains: [(String, [String])] = [], sets: [String] = [], policy: String = "accept",
        comments: [Int: String] = [:], ports: PortNames? = nil, tests: Bool = false
    ) throws -> NftImporter.Result {
        try NftImporter.importRuleset(
            json: json(rules, chains: chains, sets: sets, policy: policy, comments: comments),
            options: NftImporter.Options(ports: ports, tests: tests))
    }

    /// `{"match": {"op": OP, "left": LEFT, "right": RIGHT}}`.
    static func match(_ left: String, _ right: String, op: String = "==") -> String {
        #"{"match": {"op": "\#(op)", "left": \#(left), "right": \#(right)}}"#
    }

    static func payload(_ proto: String, _ field: String) -> String {
        #"{"payload": {"protocol": "\#(proto)", "field": "\#(field)"}}"#
    }

    static func meta(_ key: String) -> String { #"{"meta": {"key": "\#(key)"}}"# }

    static let accept = #"{"accept": null}"#
    static let drop = #"{"drop": null}"#

    /// The lines of `rule "NAME" { ... }` in a policy, joined by newlines (nil when absent).
    static func rule(_ name: String, in policy: String) -> String? {
        let lines = policy.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "rule \"\(name)\" {" })
        else { return nil }
        let indent = lines[start].prefix { $0 == " " }
        guard let end = lines[start...].firstIndex(of: indent + "}") else { return nil }
        return lines[start...end].map { String($0.dropFirst(indent.count)) }.joined(separator: "\n")
    }

    /// Checks the policy as `bridgekeeper check` does.
    static func check(_ policy: String) -> LoadReport {
        PolicyLoader.load(text: policy, path: "imported.policy")
    }
}
