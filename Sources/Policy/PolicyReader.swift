/// Reads a policy file and its includes, parses, resolves and checks it: the one code path behind
/// `bridgekeeper check`, startup and reload.
///
/// Diagnostics come sorted by file (main file first, then includes in the order read), line and
/// column. Errors are reported all at once where that is safe: a statement with an error is
/// skipped and checking goes on with the next one, without follow-on errors about it.
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
    /// `ports` are the bridge's interface names, which `iifname` and `oifname` need.
    public static func read(path: String, ports: PortInterfaces? = nil) -> Result {
        let sink = DiagnosticSink()
        var loader = SourceLoader(sink: sink)
        guard loader.loadMain(path: path) else { return Result(policy: nil, diagnostics: sink.sorted()) }
        return finish(loader, sink: sink, path: path, ports: ports)
    }

    /// Parses `text` as if it were the file at `path`; includes are still read from disk,
    /// relative to `path`'s folder.
    public static func parse(text: String, path: String, ports: PortInterfaces? = nil) -> Result {
        let sink = DiagnosticSink()
        var loader = SourceLoader(sink: sink)
        loader.loadMain(path: path, text: text)
        return finish(loader, sink: sink, path: path, ports: ports)
    }

    /// Resolves and checks what the loader read. Warnings are only looked for once there is no
    /// error, so they never echo an error.
    private static func finish(
        _ loader: SourceLoader, sink: DiagnosticSink, path: String, ports: PortInterfaces?
    ) -> Result {
        var resolver = Resolver(sink: sink, ports: ports)
        let policy = resolver.resolve(items: loader.items, sources: loader.sources, mainPath: path)
        return Result(policy: sink.hasErrors ? nil : policy, diagnostics: sink.sorted())
    }
}
