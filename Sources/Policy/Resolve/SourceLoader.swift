/// A top-level statement and the file it came from.
struct LoadedItem {
    var item: SyntaxItem
    var path: String
}

/// Reads the main file and, depth first, every file it includes, splicing each included file's
/// statements in where its `include` was written.
struct SourceLoader {
    let sink: DiagnosticSink
    private(set) var sources: [SourceFile] = []
    private(set) var items: [LoadedItem] = []
    /// The chain of files being read, for cycle detection: canonical path and path as opened.
    private var stack: [(canonical: String, display: String)] = []

    init(sink: DiagnosticSink) { self.sink = sink }

    /// Reads the main file from disk; false when it cannot be read (reported without a place).
    mutating func loadMain(path: String) -> Bool {
        switch PathText.read(path) {
        case .success(let text):
            load(path: path, text: text, isMain: true)
            return true
        case .failure(let error):
            sink.error(.fileUnreadable, "cannot read '\(error.path)': \(error.reason)", at: nil)
            return false
        }
    }

    /// Uses `text` as the contents of the main file at `path`.
    mutating func loadMain(path: String, text: String) {
        load(path: path, text: text, isMain: true)
    }

    private mutating func load(path: String, text: String, isMain: Bool) {
        sink.register(path: path, text: text)
        sources.append(SourceFile(path: path, contents: text))
        stack.append((PathText.canonical(path) ?? PathText.absolute(path), path))
        defer { stack.removeLast() }
        for item in Parser.parse(text: text, path: path, isMainFile: isMain, sink: sink) {
            if case .include(let include) = item {
                expand(include, from: path)
            } else {
                items.append(LoadedItem(item: item, path: path))
            }
        }
    }

    private mutating func expand(_ include: SyntaxInclude, from path: String) {
        let folder = PathText.directory(of: path)
        let token = include.patternToken
        var matches: [String]
        if PathText.isGlob(include.pattern) {
            let pattern =
                include.pattern.hasPrefix("/")
                ? include.pattern : PathText.join(PathText.escapeGlob(folder), include.pattern)
            switch PathText.glob(pattern) {
            case .success(let paths): matches = paths
            case .failure(let error):
                sink.error(.fileUnreadable, "cannot read '\(error.path)': \(error.reason)", at: token)
                return
            }
        } else {
            matches = [PathText.join(folder, include.pattern)]
        }
        for match in matches {
            let text: String
            switch PathText.read(match) {
            case .success(let contents): text = contents
            case .failure(let error):
                sink.error(.fileUnreadable, "cannot read '\(error.path)': \(error.reason)", at: token)
                continue
            }
            let canonical = PathText.canonical(match) ?? PathText.absolute(match)
            if let start = stack.firstIndex(where: { $0.canonical == canonical }) {
                let chain = stack[start...].map(\.display) + [match]
                sink.error(.includeCycle, "include cycle: " + chain.joined(separator: " -> "), at: token)
                continue
            }
            load(path: match, text: text, isMain: false)
        }
    }
}
