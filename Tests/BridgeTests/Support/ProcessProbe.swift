import Foundation
import TestSupport

/// What /proc says about a running process. Every read throws when /proc cannot be read or does
/// not say what it should: a vanished process is never "0 kB" or "no CPU".
enum ProcessProbe {
    /// A line of /proc/PID/status (`Uid`, `CapEff`, `VmRSS`...), without its label.
    static func status(_ pid: Int32, _ field: String) throws -> String {
        let text = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return line.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces)
        }
        throw TestFailure("/proc/\(pid)/status has no \(field) line")
    }

    /// User plus system CPU time of the process and all its threads, in seconds.
    static func cpuSeconds(_ pid: Int32) throws -> Double {
        let text = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        guard let close = text.lastIndex(of: ")") else { throw TestFailure("unreadable /proc/\(pid)/stat: \(text)") }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, utime 14 and stime 15 (1-based): indices 11 and 12 here.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else {
            throw TestFailure("unreadable /proc/\(pid)/stat: \(text)")
        }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Resident memory in kB.
    static func residentKilobytes(_ pid: Int32) throws -> Int {
        let line = try status(pid, "VmRSS")
        guard let kilobytes = line.split(separator: " ").first.flatMap({ Int($0) }) else {
            throw TestFailure("unreadable VmRSS line: \(line)")
        }
        return kilobytes
    }
}
