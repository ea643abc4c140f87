/// Reads a policy file and its includes, parses, resolves and checks it.
public enum PolicyReader {
    /// The outcome of reading: the policy when there is no error, and every diagnostic.
    public struct Result: Sendable {
        public var policy: Policy?
        public var diagnostics: [Diagnostic]
        public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
        public var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }
        public init(policy: Policy?, diagnostics: [Diagnostic]) {
            self.policy = policy
            self.diagnostics = diagnostics
        }
    }

    /// Reads the file at `path` (and its includes, relative to each including file's folder).
    public static func read(path: String) -> Result {
        fatalError("unimplemented: Policy helper")
    }

    /// Parses `text` as if it were the file at `path`; includes are still read from disk,
    /// relative to `path`'s folder.
    public static func parse(text: String, path: String) -> Result {
        fatalError("unimplemented: Policy helper")
    }
}
