import Glibc

/// The replay mode of the fuzz executables when they are not built with libFuzzer: runs the
/// harness over files (and the files in folders) named on the command line, as the fuzzer would
/// run them, and reports every violation. Used to reproduce a crash artifact in a plain build.
public enum CorpusReplay {
    /// Replays `paths`; returns the exit status (0 when every input passed, 1 otherwise, 2 for a
    /// path that cannot be read).
    public static func run(paths: [String], check: (UnsafeRawBufferPointer) -> [HarnessViolation]) -> Int32 {
        var inputs = 0
        var failing = 0
        var unreadable = false
        for path in paths {
            var status = stat()
            let files =
                stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR
                ? RepositoryPaths.files(in: path) : [path]
            for file in files {
                guard let bytes = RepositoryPaths.read(file) else {
                    printError("\(file): cannot read it")
                    unreadable = true
                    continue
                }
                inputs += 1
                let violations = bytes.withUnsafeBytes { check($0) }
                guard !violations.isEmpty else { continue }
                failing += 1
                printError("\(file): \(violations.count) violation\(violations.count == 1 ? "" : "s")")
                for violation in violations.prefix(20) { printError("    \(violation)") }
            }
        }
        print("\(inputs) input\(inputs == 1 ? "" : "s") replayed, \(failing) with violations")
        if unreadable { return 2 }
        return failing == 0 ? 0 : 1
    }

    /// Reports the violations of one input and stops the process, so libFuzzer saves the input
    /// as a crash artifact.
    public static func stop(on violations: [HarnessViolation]) -> Never {
        printError("==bridgekeeper-fuzz== \(violations.count) violation\(violations.count == 1 ? "" : "s"):")
        for violation in violations.prefix(20) { printError("    \(violation)") }
        abort()
    }

    /// Writes a line to standard error.
    public static func printError(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
