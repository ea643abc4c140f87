import Foundation
import Policy
import Testing

/// Parses `text` as the file `t.policy` in the current folder.
func check(_ text: String, path: String = "t.policy") -> PolicyReader.Result {
    PolicyReader.parse(text: text, path: path)
}

/// A complete file around `body`: `version 1` and `default forward` on lines 1 and 2, `body`
/// from line 3.
func wrapped(_ body: String) -> String {
    "version 1\ndefault forward\n" + body
}

/// The policy of `text`, recording every diagnostic as a test issue when there is none.
func policy(_ text: String, path: String = "t.policy", sourceLocation: Testing.SourceLocation = #_sourceLocation)
    -> Policy?
{
    let result = check(text, path: path)
    if result.policy == nil {
        let listing = result.diagnostics.map(\.rendered).joined(separator: "\n")
        Issue.record(Comment(rawValue: "policy did not check:\n" + listing), sourceLocation: sourceLocation)
    }
    return result.policy
}

/// Errors as `"LINE:COL code"`, for compact exact comparisons.
func errorSummary(_ result: PolicyReader.Result) -> [String] {
    result.errors.map { "\($0.location.map { "\($0.line):\($0.column)" } ?? "-") \($0.code.rawValue)" }
}

/// Warnings as `"LINE:COL code"`.
func warningSummary(_ result: PolicyReader.Result) -> [String] {
    result.warnings.map { "\($0.location.map { "\($0.line):\($0.column)" } ?? "-") \($0.code.rawValue)" }
}

/// The one error of `text`, when there is exactly one (otherwise a test issue listing them).
func singleError(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> Diagnostic? {
    let result = check(text)
    guard result.errors.count == 1 else {
        let listing = result.diagnostics.map(\.rendered).joined(separator: "\n")
        Issue.record(Comment(rawValue: "expected one error, got:\n" + listing), sourceLocation: sourceLocation)
        return nil
    }
    #expect(result.policy == nil, sourceLocation: sourceLocation)
    return result.errors[0]
}

/// A fresh folder under the system temporary folder; `remove()` deletes it.
struct TemporaryFolder {
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/bk-policy-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Writes `text` to `name` (relative to the folder), creating folders; returns the full path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let full = path + "/" + name
        let folder = (full as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try text.write(toFile: full, atomically: true, encoding: .utf8)
        return full
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// The field matches of a rule, in order.
func fieldMatches(_ rule: Rule) -> [FieldMatch] {
    rule.match.compactMap { term in
        if case .field(let match) = term { return match }
        return nil
    }
}
