/// The policy target's seed corpus: the shipped policies, the fuzz-only policies, and every
/// example in `docs/policy.md` (the complete `policy` blocks and the files with mistakes in them).
public enum SeedPolicies {
    /// Each seed with a file name for the corpus.
    public static var all: [(name: String, text: String)] {
        var seeds: [(String, String)] = []
        for (prefix, folder) in [("shipped", RepositoryPaths.shippedPolicies), ("fuzz", RepositoryPaths.fuzzPolicies)] {
            for path in RepositoryPaths.files(in: folder, suffix: ".policy") {
                guard let bytes = RepositoryPaths.read(path) else { continue }
                let name = path.split(separator: "/").last.map(String.init) ?? path
                seeds.append(("\(prefix)-\(name)", String(decoding: bytes, as: UTF8.self)))
            }
        }
        if let bytes = RepositoryPaths.read(RepositoryPaths.root + "/docs/policy.md") {
            for (index, block) in examples(in: String(decoding: bytes, as: UTF8.self)).enumerated() {
                seeds.append((String(format2: index + 1) + "-docs.policy", block))
            }
        }
        return seeds
    }

    /// The bodies of the fenced blocks opened by "```policy" or "```text file=NAME".
    static func examples(in markdown: String) -> [String] {
        var blocks: [String] = []
        var current: [Substring]?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if let lines = current {
                if line.hasPrefix("```") {
                    blocks.append(lines.joined(separator: "\n") + "\n")
                    current = nil
                } else {
                    current = lines + [line]
                }
            } else if line == "```policy" || line.hasPrefix("```text file=") {
                current = []
            }
        }
        return blocks
    }
}

extension String {
    /// `value` as at least two decimal digits.
    init(format2 value: Int) {
        self = value < 10 ? "0\(value)" : "\(value)"
    }
}
