import Policy
import Ruleset

/// A policy that passed every check, compiled and ready to swap in.
public struct LoadedPolicy: Sendable {
    public let compiled: CompiledPolicy
    /// SHA-256 over every file read, in order (paths and contents).
    public let sha256: String
    /// Warnings (the policy loaded despite them).
    public let warnings: [Diagnostic]
    /// How many `test` blocks ran (all passed).
    public let testsRun: Int
}

/// Everything `check` and a reload learn from reading a policy.
public struct LoadReport: Sendable {
    /// The loaded policy when there was no error and every test passed.
    public var loaded: LoadedPolicy?
    /// Errors and warnings, in file order.
    public var diagnostics: [Diagnostic]
    /// Outcomes of the `test` blocks (empty when the policy did not compile).
    public var tests: [TestRunner.Outcome]

    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
    public var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }
}

/// Reads, checks, compiles and tests a policy: the one code path `check`, `replay`, `run` and
/// every reload share, so "passes check" and "reloads" cannot disagree.
public enum PolicyLoader {
    /// Loads the policy at `path`.
    /// - Parameters:
    ///   - ports: the bridge's interface names, for `iifname` and `oifname` (nil: not known,
    ///     and a policy that uses them does not check).
    ///   - extraWarnings: computes further warnings from the checked policy (the nftables
    ///     mirror's notes), added to the report.
    public static func load(
        path: String, ports: PortInterfaces? = nil, extraWarnings: (Policy) -> [Diagnostic] = { _ in [] }
    ) -> LoadReport {
        let read = PolicyReader.read(path: path, ports: ports)
        return finish(read, extraWarnings: extraWarnings)
    }

    /// Loads policy text as if it were the file at `path` (tests, `check -`).
    public static func load(
        text: String, path: String, ports: PortInterfaces? = nil,
        extraWarnings: (Policy) -> [Diagnostic] = { _ in [] }
    ) -> LoadReport {
        finish(PolicyReader.parse(text: text, path: path, ports: ports), extraWarnings: extraWarnings)
    }

    private static func finish(_ read: PolicyReader.Result, extraWarnings: (Policy) -> [Diagnostic]) -> LoadReport {
        var diagnostics = read.diagnostics
        guard let policy = read.policy, read.errors.isEmpty else {
            return LoadReport(loaded: nil, diagnostics: diagnostics, tests: [])
        }
        let extra = extraWarnings(policy)
        if !extra.isEmpty {
            let lines = SourceLines(policy)
            diagnostics += extra.map { withSourceLine($0, from: lines) }
        }
        let compiled = PolicyCompiler.compile(policy)
        let outcomes = TestRunner.run(compiled)
        diagnostics += outcomes.compactMap(\.failure)
        let failed = outcomes.contains { !$0.passed }
        let loaded =
            failed
            ? nil
            : LoadedPolicy(
                compiled: compiled, sha256: fingerprint(policy),
                warnings: diagnostics.filter { $0.severity == .warning },
                testsRun: outcomes.count)
        return LoadReport(loaded: loaded, diagnostics: diagnostics, tests: outcomes)
    }

    /// The diagnostic with the text of its line filled in (for the caret display).
    static func withSourceLine(_ diagnostic: Diagnostic, from lines: SourceLines) -> Diagnostic {
        guard diagnostic.sourceLine == nil, let location = diagnostic.location else { return diagnostic }
        var filled = diagnostic
        filled.sourceLine = lines.line(at: location)
        filled.length =
            filled.sourceLine.map { line in
                let rest = line.utf8.dropFirst(location.column - 1)
                return max(1, rest.prefix { $0 != UInt8(ascii: " ") }.count)
            } ?? 1
        return filled
    }

    /// SHA-256 over the files' paths and contents, in the order they were read.
    public static func fingerprint(_ policy: Policy) -> String {
        var hasher = SHA256()
        for source in policy.sources {
            hasher.update(source.path.utf8)
            hasher.update([0])
            hasher.update(source.contents.utf8)
            hasher.update([0])
        }
        return hasher.finalizeHex()
    }
}
