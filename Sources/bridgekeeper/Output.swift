import ArgumentParser

#if canImport(Glibc)
    import Glibc
#endif

extension ExitCode {
    /// `replay` and `inject`: the run completed, but a capture was damaged; every whole frame
    /// before the damage was processed.
    static let damagedCapture = ExitCode(3)
}

/// Writes a line to standard error, unbuffered, for diagnostics and progress.
func printError(_ text: String) {
    let line = text + "\n"
    var bytes = Array(line.utf8)
    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress! + offset, $0.count - offset) }
        if written <= 0 { return }
        offset += written
    }
}
