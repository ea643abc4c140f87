/// A problem found in a policy, reported as `FILE:LINE:COL: severity: message`, then the
/// offending line and a caret under the offending text.
public struct Diagnostic: Error, Sendable, Hashable, Codable {
    public enum Severity: String, Sendable, Hashable, Codable {
        case error
        case warning
        case note
    }

    public var severity: Severity
    /// A stable machine-readable kind, for `--json` and tests.
    public var code: DiagnosticCode
    public var message: String
    /// Nil only for problems with no place in a file (an unreadable main file).
    public var location: SourceLocation?
    /// The full text of the offending line, without its newline.
    public var sourceLine: String?
    /// How many columns the caret line underlines (at least 1).
    public var length: Int

    public init(
        _ severity: Severity, _ code: DiagnosticCode, _ message: String, at location: SourceLocation?,
        sourceLine: String? = nil, length: Int = 1
    ) {
        self.severity = severity
        self.code = code
        self.message = message
        self.location = location
        self.sourceLine = sourceLine
        self.length = max(1, length)
    }

    /// `FILE:LINE:COL: error: MESSAGE`, the line, and a caret line.
    public var rendered: String {
        var text = ""
        if let location { text += "\(location): " }
        text += "\(severity.rawValue): \(message)"
        if let sourceLine, let location {
            text += "\n" + sourceLine + "\n"
            // Keep tabs so the caret lines up under tab-indented text.
            var pad = ""
            for (i, ch) in sourceLine.utf8.enumerated() where i < location.column - 1 {
                pad.append(ch == UInt8(ascii: "\t") ? "\t" : " ")
            }
            text += pad + "^" + String(repeating: "~", count: length - 1)
        }
        return text
    }

    /// The one-line form, `FILE:LINE:COL: error: MESSAGE`.
    public var summary: String {
        (location.map { "\($0): " } ?? "") + "\(severity.rawValue): \(message)"
    }
}

/// Every kind of diagnostic the checker reports.
public enum DiagnosticCode: String, Sendable, Hashable, Codable, CaseIterable {
    // Reading files.
    case fileUnreadable = "file-unreadable"
    case includeCycle = "include-cycle"
    // Lexical and syntax.
    case unexpectedCharacter = "unexpected-character"
    case unterminatedString = "unterminated-string"
    case unexpectedToken = "unexpected-token"
    case unknownKeyword = "unknown-keyword"
    case unknownField = "unknown-field"
    /// An nft construct with no meaning on a transparent bridge, or not supported yet.
    case notSupported = "not-supported"
    // Values.
    case invalidValue = "invalid-value"
    case valueOutOfRange = "value-out-of-range"
    case wrongValueKind = "wrong-value-kind"
    case setKindConflict = "set-kind-conflict"
    // Names.
    case invalidName = "invalid-name"
    case duplicateRule = "duplicate-rule"
    case duplicateTest = "duplicate-test"
    case duplicateDefinition = "duplicate-definition"
    case recursiveDefine = "recursive-define"
    case undefinedDefine = "undefined-define"
    case undefinedSet = "undefined-set"
    // Structure.
    case missingVersion = "missing-version"
    case unsupportedVersion = "unsupported-version"
    case missingDefault = "missing-default"
    case duplicateDefault = "duplicate-default"
    case missingVerdict = "missing-verdict"
    case statementAfterVerdict = "statement-after-verdict"
    case duplicateMatch = "duplicate-match"
    case duplicateComment = "duplicate-comment"
    case notRewritable = "not-rewritable"
    case invalidOption = "invalid-option"
    case badBPF = "bad-bpf"
    case unknownRule = "unknown-rule"
    case unknownChain = "unknown-chain"
    case duplicateChain = "duplicate-chain"
    case chainLoop = "chain-loop"
    case overlappingElements = "overlapping-elements"
    case missingPacket = "missing-packet"
    case missingExpect = "missing-expect"
    // Tests.
    case testFailed = "test-failed"
    // Warnings.
    case shadowedRule = "shadowed-rule"
    case unusedSet = "unused-set"
    case unusedDefine = "unused-define"
    case notMirrorable = "not-mirrorable"
    case partlyMirrorable = "partly-mirrorable"
    case unusedChain = "unused-chain"
    case returnAtBase = "return-at-base"
    // Notes.
    case counterImplicit = "counter-implicit"
}
