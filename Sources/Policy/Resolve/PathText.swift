import Glibc
import SystemPackage

/// Path arithmetic on plain strings, and the few file-system calls the reader needs.
enum PathText {
    /// The folder part of `path`: `"a/b.policy"` gives `"a"`, `"b.policy"` gives `""`, `"/b"` gives `"/"`.
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// `name` relative to `folder` (unchanged when absolute or when `folder` is empty).
    static func join(_ folder: String, _ name: String) -> String {
        if name.hasPrefix("/") || folder.isEmpty { return name }
        return folder.hasSuffix("/") ? folder + name : folder + "/" + name
    }

    /// `path` made absolute against the current directory, with `.` components and repeated
    /// slashes removed (`..` is kept: it may cross a symbolic link).
    static func absolute(_ path: String) -> String {
        var full = path
        if !path.hasPrefix("/"), let cwd = currentDirectory() { full = join(cwd, path) }
        let parts = full.split(separator: "/").filter { $0 != "." }
        return "/" + parts.joined(separator: "/")
    }

    static func currentDirectory() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The canonical path (symbolic links resolved), or nil when the file does not exist.
    static func canonical(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// True when `pattern` contains a glob wildcard.
    static func isGlob(_ pattern: String) -> Bool {
        pattern.contains { $0 == "*" || $0 == "?" || $0 == "[" }
    }

    /// `text` with glob wildcards escaped, so a folder name is matched literally.
    static func escapeGlob(_ text: String) -> String {
        var escaped = ""
        for ch in text {
            if ch == "*" || ch == "?" || ch == "[" || ch == "\\" { escaped.append("\\") }
            escaped.append(ch)
        }
        return escaped
    }

    /// Paths matching `pattern`, sorted bytewise (not by locale); none is not an error.
    static func glob(_ pattern: String) -> Result<[String], FileError> {
        var result = glob_t()
        defer { globfree(&result) }
        let status = Glibc.glob(pattern, 0, nil, &result)
        switch status {
        case 0:
            var paths: [String] = []
            for i in 0..<Int(result.gl_pathc) {
                if let path = result.gl_pathv[i] { paths.append(String(cString: path)) }
            }
            return .success(paths.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        case GLOB_NOMATCH:
            return .success([])
        default:
            return .failure(FileError(path: pattern, reason: "cannot list the files matching it"))
        }
    }

    /// The whole file as UTF-8 text.
    static func read(_ path: String) -> Result<String, FileError> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(FileError(path: path, reason: errnoText())) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(FileError(path: path, reason: errnoText()))
            }
            if count == 0 { break }
            bytes += chunk[0..<count]
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return .failure(FileError(path: path, reason: "not UTF-8 text"))
        }
        return .success(text)
    }

    private static func errnoText() -> String { Errno(rawValue: errno).description }
}

/// A file that could not be read, and why (the `Errno` text, as `strerror` gives it).
struct FileError: Error, Equatable {
    var path: String
    var reason: String
}
