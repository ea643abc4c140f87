import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Writes one line per message to standard error, `level=info msg="..." key=value ...`, which
/// journald stores as is and people read without a parser. A message logged with the metadata
/// key ``fieldsKey`` already is `key=value` text (a `log` statement's line) and is written as
/// is, after the level, so its fields stay in their order and unquoted.
public struct LineLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let label: String

    public init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Metadata key marking a message that is already `key=value` fields.
    public static let fieldsKey = "fields"

    public func log(event: LogEvent) {
        var merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        var line = "level=\(event.level.rawValue) "
        if merged.removeValue(forKey: Self.fieldsKey) != nil {
            line += event.message.description
        } else {
            line += "msg=\(Self.quote(event.message.description))"
        }
        for key in merged.keys.sorted() {
            line += " \(key)=\(Self.quote(String(describing: merged[key]!)))"
        }
        line += "\n"
        var bytes = Array(line.utf8)
        Self.writeLock.withLock { _ in
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress! + offset, $0.count - offset) }
                if written <= 0 { break }
                offset += written
            }
        }
    }

    private static let writeLock = Mutex(())

    /// Quotes a value when it has spaces, quotes or `=`; plain otherwise.
    static func quote(_ value: String) -> String {
        let needs = value.isEmpty || value.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0 == "\n" }
        guard needs else { return value }
        var out = "\""
        for ch in value {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(ch)
            }
        }
        return out + "\""
    }
}
