import Glibc

/// The identity lines of `/proc/PID/status`: what the kernel says a process runs as.
public struct ProcessStatus: Sendable, Equatable {
    /// Real, effective, saved and filesystem user ids.
    public var uids: [uid_t]
    /// Real, effective, saved and filesystem group ids.
    public var gids: [gid_t]
    /// Supplementary groups.
    public var groups: [gid_t]
    public var effective: CapabilitySet
    public var permitted: CapabilitySet
    public var inheritable: CapabilitySet
    public var bounding: CapabilitySet
    public var ambient: CapabilitySet
    public var noNewPrivileges: Bool
    public var threads: Int

    /// Reads `/proc/self/status` (or `/proc/PID/status`); nil when it cannot be read.
    public static func read(pid: pid_t? = nil) -> ProcessStatus? {
        let path = pid.map { "/proc/\($0)/status" } ?? "/proc/self/status"
        guard let text = readSmallFile(path) else { return nil }
        return parse(text)
    }

    /// Parses the text of a status file; nil when a line it needs is missing.
    public static func parse(_ text: String) -> ProcessStatus? {
        var fields: [Substring: Substring] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].drop(while: { $0 == " " || $0 == "\t" })
            fields[line[..<colon]] = value
        }
        func numbers(_ key: Substring) -> [UInt32]? {
            fields[key].map { $0.split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { UInt32($0) } }
        }
        func mask(_ key: Substring) -> CapabilitySet? {
            fields[key].flatMap { UInt64($0, radix: 16) }.map(CapabilitySet.init(rawValue:))
        }
        guard let uids = numbers("Uid"), let gids = numbers("Gid"), let effective = mask("CapEff"),
            let permitted = mask("CapPrm"), let inheritable = mask("CapInh"), let bounding = mask("CapBnd")
        else { return nil }
        return ProcessStatus(
            uids: uids, gids: gids, groups: numbers("Groups") ?? [], effective: effective, permitted: permitted,
            inheritable: inheritable, bounding: bounding, ambient: mask("CapAmb") ?? [],
            noNewPrivileges: fields["NoNewPrivs"] == "1", threads: fields["Threads"].flatMap { Int($0) } ?? 1)
    }

    /// The whole of a small text file (procfs, sysfs), or nil.
    static func readSmallFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = Glibc.read(fd, &chunk, chunk.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
