import Foundation
import TestSupport

/// The kernel's own view of the mirror: `nft -j list table bridge bridgekeeper` in the bridge's
/// namespace, reduced to what the tests compare.
struct NftTable: Equatable {
    struct Rule: Equatable {
        var comment: String?
        /// The rule's expressions as JSON text without counters (they change with traffic).
        var expressions: String
        var verdict: String?
    }

    var chainPolicy: String?
    var rules: [Rule]

    /// Reads the table; nil when the namespace's ruleset has no bridge table of that name (read
    /// from `nft -j list tables bridge`). Any failure of `nft` itself throws: it is never "no rules".
    static func read(in namespace: TestNamespace, table: String = "bridgekeeper") throws -> NftTable? {
        guard try tables(in: namespace).contains(table) else { return nil }
        let text = try namespace.exec("nft", "-j", "list", "table", "bridge", table)
        guard let root = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
            let items = root["nftables"] as? [[String: Any]]
        else { throw TestFailure("unexpected nft -j output: \(text.prefix(200))") }
        var policy: String?
        var rules: [Rule] = []
        for item in items {
            if let chain = item["chain"] as? [String: Any], chain["name"] as? String == "forward" {
                policy = chain["policy"] as? String
            }
            guard let rule = item["rule"] as? [String: Any], rule["chain"] as? String == "forward" else { continue }
            let expressions = (rule["expr"] as? [[String: Any]] ?? []).filter { $0["counter"] == nil }
            let verdict = expressions.compactMap { expression in
                ["accept", "drop", "jump"].first { expression[$0] != nil }
            }.last
            let data = try JSONSerialization.data(withJSONObject: expressions, options: [.sortedKeys])
            rules.append(
                Rule(
                    comment: rule["comment"] as? String, expressions: String(decoding: data, as: UTF8.self),
                    verdict: verdict))
        }
        return NftTable(chainPolicy: policy, rules: rules)
    }
}

extension NftTable {
    /// The names of the bridge family's tables in `namespace`; throws when `nft` fails or prints
    /// something that is not its JSON.
    static func tables(in namespace: TestNamespace) throws -> [String] {
        let text = try namespace.exec("nft", "-j", "list", "tables", "bridge")
        guard let root = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
            let items = root["nftables"] as? [[String: Any]]
        else { throw TestFailure("unexpected nft -j list tables output: \(text.prefix(200))") }
        return items.compactMap { ($0["table"] as? [String: Any])?["name"] as? String }
    }
}
