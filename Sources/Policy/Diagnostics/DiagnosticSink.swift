/// Collects the diagnostics of one read, attaching the offending source line to each and
/// dropping exact repeats (a bad element of a set used twice is reported once).
final class DiagnosticSink {
    private(set) var diagnostics: [Diagnostic] = []
    private var seen: Set<Diagnostic> = []
    private var lines: [String: [String]] = [:]
    /// Order in which files were registered, to sort diagnostics by file then position.
    private var fileOrder: [String: Int] = [:]

    var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
    var errorCount: Int { diagnostics.lazy.filter { $0.severity == .error }.count }

    /// Makes `text` available for the source lines of diagnostics in `path`.
    func register(path: String, text: String) {
        if fileOrder[path] == nil { fileOrder[path] = fileOrder.count }
        // Split bytes, not Characters: "\r\n" is one Character and would not split on "\n".
        lines[path] = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map {
            String(decoding: $0, as: UTF8.self)
        }
    }

    func error(_ code: DiagnosticCode, _ message: String, at location: SourceLocation?, length: Int = 1) {
        add(.error, code, message, at: location, length: length)
    }

    func warning(_ code: DiagnosticCode, _ message: String, at location: SourceLocation?, length: Int = 1) {
        add(.warning, code, message, at: location, length: length)
    }

    func note(_ code: DiagnosticCode, _ message: String, at token: Token) {
        add(.note, code, message, at: token.location, length: token.length)
    }

    /// An error underlining `token`.
    func error(_ code: DiagnosticCode, _ message: String, at token: Token) {
        error(code, message, at: token.location, length: token.length)
    }

    func add(
        _ severity: Diagnostic.Severity, _ code: DiagnosticCode, _ message: String, at location: SourceLocation?,
        length: Int
    ) {
        var line: String?
        if let location, let fileLines = lines[location.file], location.line >= 1, location.line <= fileLines.count {
            let text = fileLines[location.line - 1]
            line = text.utf8.last == UInt8(ascii: "\r") ? String(decoding: text.utf8.dropLast(), as: UTF8.self) : text
        }
        let diagnostic = Diagnostic(severity, code, message, at: location, sourceLine: line, length: length)
        guard seen.insert(diagnostic).inserted else { return }
        diagnostics.append(diagnostic)
    }

    /// Every diagnostic, ordered by file (main first), line and column; ties keep report order.
    func sorted() -> [Diagnostic] {
        let indexed = diagnostics.enumerated().map { ($0.offset, $0.element) }
        return indexed.sorted { lhs, rhs in
            let a = key(lhs.1)
            let b = key(rhs.1)
            if a != b { return a.lexicographicallyPrecedes(b) }
            return lhs.0 < rhs.0
        }.map { $0.1 }
    }

    private func key(_ diagnostic: Diagnostic) -> [Int] {
        guard let location = diagnostic.location else { return [-1, 0, 0] }
        return [fileOrder[location.file] ?? Int.max, location.line, location.column]
    }
}
