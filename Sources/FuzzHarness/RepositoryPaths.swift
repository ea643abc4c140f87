import Glibc

/// Where the harness finds the repository's policies and corpora.
///
/// The repository root is `BRIDGEKEEPER_ROOT` when set, else the folder this source file was
/// compiled from, three levels up (`Sources/FuzzHarness/RepositoryPaths.swift`), so a fuzzer or a
/// replay built from a checkout finds its files wherever it is started from.
public enum RepositoryPaths {
    /// The repository root.
    public static var root: String {
        if let value = getenv("BRIDGEKEEPER_ROOT") {
            let text = String(cString: value)
            if !text.isEmpty { return text }
        }
        var path = #filePath
        for _ in 0..<3 {
            guard let slash = path.lastIndex(of: "/") else { return "." }
            path = String(path[..<slash])
        }
        return path.isEmpty ? "/" : path
    }

    /// The shipped policies, `policies/`.
    public static var shippedPolicies: String { root + "/policies" }
    /// The fuzz-only policies, `Tests/FuzzCorpus/policies/`.
    public static var fuzzPolicies: String { root + "/Tests/FuzzCorpus/policies" }
    /// The committed corpora, `Tests/FuzzCorpus/`.
    public static var corpus: String { root + "/Tests/FuzzCorpus" }

    /// The regular files in `folder` whose names end in `suffix` (all when empty), sorted bytewise.
    public static func files(in folder: String, suffix: String = "") -> [String] {
        guard let directory = opendir(folder) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard !name.hasPrefix("."), name.hasSuffix(suffix) else { continue }
            var status = stat()
            guard stat(folder + "/" + name, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { continue }
            names.append(name)
        }
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { folder + "/" + $0 }
    }

    /// The whole file's bytes, or nil when it cannot be read.
    public static func read(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
        }
    }

    /// Writes `bytes` to `path` (created or replaced); false when it cannot.
    @discardableResult
    public static func write(_ bytes: [UInt8], to path: String) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return false }
            offset += count
        }
        return true
    }
}
