import Foundation

/// Read-back of nftables state with the `nft` tool, for comparing with what the module did.
enum NftListing {
    /// `nft -j list table bridge NAME`, without metainfo and handles (and, unless kept, with
    /// counters zeroed), as a canonical JSON string; nil when the table does not exist.
    static func json(_ namespace: NetworkNamespace, table: String, keepCounters: Bool = false) throws -> [Any]? {
        let result = namespace.exec(["nft", "-j", "list", "table", "bridge", table])
        guard result.succeeded else { return nil }
        let object = try JSONSerialization.jsonObject(with: Data(result.output.utf8))
        guard let root = object as? [String: Any], let items = root["nftables"] as? [Any] else { return nil }
        return items.compactMap { item -> Any? in
            guard let dictionary = item as? [String: Any], dictionary["metainfo"] == nil else { return nil }
            return normalized(dictionary, keepCounters: keepCounters)
        }
    }

    /// The same, serialised with sorted keys so two listings compare as strings.
    static func canonical(_ namespace: NetworkNamespace, table: String) throws -> String? {
        guard let items = try json(namespace, table: table) else { return nil }
        let data = try JSONSerialization.data(withJSONObject: items, options: [.sortedKeys, .prettyPrinted])
        return String(decoding: data, as: UTF8.self)
    }

    /// The rules of a chain as JSON objects, in order.
    static func rules(
        _ namespace: NetworkNamespace, table: String, chain: String = "forward", keepCounters: Bool = false
    )
        throws -> [[String: Any]]
    {
        try (json(namespace, table: table, keepCounters: keepCounters) ?? []).compactMap {
            guard let rule = ($0 as? [String: Any])?["rule"] as? [String: Any], rule["chain"] as? String == chain
            else { return nil }
            return rule
        }
    }

    /// Table names of the bridge family.
    static func tables(_ namespace: NetworkNamespace) throws -> [String] {
        let output = try namespace.must(["nft", "-j", "list", "tables", "bridge"])
        let object = try JSONSerialization.jsonObject(with: Data(output.utf8))
        let items = (object as? [String: Any])?["nftables"] as? [Any] ?? []
        return items.compactMap { (($0 as? [String: Any])?["table"] as? [String: Any])?["name"] as? String }
    }

    /// `nft --debug=netlink list table bridge NAME`: the kernel's expressions of each rule, by chain.
    static func bytecode(_ namespace: NetworkNamespace, table: String) throws -> [String: [[String]]] {
        let output = try namespace.must(["nft", "--debug=netlink", "list", "table", "bridge", table])
        return parseBytecode(output, table: table)
    }

    /// Where two bytecode listings first differ, in words (nil when they are the same).
    static func difference(_ a: [String: [[String]]], _ b: [String: [[String]]]) -> String? {
        for chain in Set(a.keys).union(b.keys).sorted() {
            let x = a[chain] ?? []
            let y = b[chain] ?? []
            for index in 0..<max(x.count, y.count) {
                let left = index < x.count ? x[index] : []
                let right = index < y.count ? y[index] : []
                guard left != right else { continue }
                return "chain \(chain) rule \(index + 1):\n  "
                    + left.joined(separator: "\n  ") + "\nversus\n  " + right.joined(separator: "\n  ")
            }
        }
        return nil
    }

    /// Rule blocks (`bridge TABLE CHAIN` then `  [ ... ]` lines) of `nft --debug=netlink` output.
    static func parseBytecode(_ output: String, table: String) -> [String: [[String]]] {
        var chains: [String: [[String]]] = [:]
        var current: (chain: String, lines: [String])?
        func flush() {
            if let block = current { chains[block.chain, default: []].append(block.lines) }
            current = nil
        }
        for line in output.split(separator: "\n", omittingEmptySubsequences: false) {
            let words = line.split(separator: " ")
            // `bridge TABLE CHAIN [HANDLE [POSITION]]`: listings print each rule's handle.
            if (3...5).contains(words.count), words[0] == "bridge", words[1] == Substring(table),
                words.dropFirst(3).allSatisfy({ $0.allSatisfy(\.isNumber) })
            {
                flush()
                current = (String(words[2]), [])
            } else if current != nil, line.hasPrefix("  [") {
                current?.lines.append(line.trimmingCharacters(in: .whitespaces))
            } else if current != nil, !line.hasPrefix("  userdata") {
                flush()
            }
        }
        flush()
        return chains
    }

    private static func normalized(_ value: Any, keepCounters: Bool) -> Any {
        if let dictionary = value as? [String: Any] {
            var result: [String: Any] = [:]
            for (key, item) in dictionary where key != "handle" {
                if key == "counter", !keepCounters, item is [String: Any] {
                    result[key] = ["packets": 0, "bytes": 0]
                } else {
                    result[key] = normalized(item, keepCounters: keepCounters)
                }
            }
            return result
        }
        if let array = value as? [Any] { return array.map { normalized($0, keepCounters: keepCounters) } }
        return value
    }
}
