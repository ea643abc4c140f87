import Policy

/// The lines of a policy's source files, split once: a large policy's mirror notes (thousands,
/// one per rule) each need the text of their line, and splitting a 40,000-line file again for
/// every one of them made loading a 10,000-rule policy quadratic (minutes of CPU per reload).
struct SourceLines {
    private var lines: [String: [Substring]] = [:]

    init(_ policy: Policy) {
        for file in policy.sources where lines[file.path] == nil {
            lines[file.path] = file.contents.split(separator: "\n", omittingEmptySubsequences: false)
        }
    }

    /// The text of the line `location` points at, or nil when it names no line of the sources.
    func line(at location: SourceLocation) -> String? {
        guard let file = lines[location.file], location.line >= 1, location.line <= file.count else { return nil }
        return String(file[location.line - 1])
    }
}
