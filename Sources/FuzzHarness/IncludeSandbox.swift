import Glibc

/// A folder of small policy files that fuzzed policies may `include`, so the include code runs
/// (globs, sorted order, an include cycle, a file starting with `version 1`) without reading
/// anything else on the machine.
///
/// Fuzzed text is read as the file `fuzz.policy` in this folder (which does not exist on disk).
/// Inputs that could include a file outside it (an absolute pattern, or `..`) are not run: see
/// ``PolicyHarness/isConfined(_:)``.
enum IncludeSandbox {
    /// The folder, made (or refreshed) once per process.
    static let folder: String = {
        let path = "/tmp/bridgekeeper-fuzz-includes-\(getuid())"
        for sub in ["", "/sets.d", "/rules.d", "/empty.d"] { mkdir(path + sub, 0o755) }
        for (name, text) in files { RepositoryPaths.write(Array(text.utf8), to: path + "/" + name) }
        return path
    }()

    /// The main file's path.
    static var mainPath: String { folder + "/fuzz.policy" }

    static let files: [(String, String)] = [
        ("sets.d/10-ports.policy", "set inc_ports = { 22, 80-90, 443 }\ndefine INC_NET = 198.18.0.0/15\n"),
        ("sets.d/20-hosts.policy", "version 1\nset inc_hosts = { 2001:db8::1, 2001:db8:1::/48 }\n"),
        (
            "rules.d/30-rule.policy",
            "rule \"included\" {\n    match ip saddr $INC_NET tcp dport @inc_ports\n    ip ttl set 9\n    forward\n}\n"
        ),
        ("cycle.policy", "include \"cycle.policy\"\n"),
        ("broken.policy", "rule \"broken\" {\n    match tcp dport 70000\n"),
    ]
}
