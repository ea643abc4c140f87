import Platform

#if canImport(Glibc)
    import Glibc
#endif

/// The line a run rewrites in place (`\r`) on a terminal while it sends: frames so far, the rate
/// over the last interval, and the errors.
struct ProgressLine {
    private var lastFrames: UInt64 = 0
    private var lastBytes: UInt64 = 0
    private var lastTime: UInt64
    private var width = 0

    init(start: UInt64) {
        lastTime = start
    }

    /// The text for `counters` at `now`, `elapsed` nanoseconds into the run.
    mutating func text(_ counters: TransmitCounters, now: UInt64, elapsed: UInt64) -> String {
        let interval = Double(now &- lastTime) / 1e9
        let rate = interval > 0 ? Double(counters.frames &- lastFrames) / interval : 0
        let megabits = interval > 0 ? Double(counters.bytes &- lastBytes) * 8 / interval / 1e6 : 0
        lastFrames = counters.frames
        lastBytes = counters.bytes
        lastTime = now
        var line =
            "\(DecimalText.fixed(Double(elapsed) / 1e9, digits: 1)) s  frames \(counters.frames)  "
            + "\(DecimalText.fixed(rate, digits: 0)) frames/s  \(DecimalText.fixed(megabits, digits: 1)) Mbit/s  "
            + "send-errors \(counters.sendErrors)"
        if counters.tooBig > 0 { line += "  too-big \(counters.tooBig)" }
        if counters.skipped > 0 { line += "  skipped \(counters.skipped)" }
        return line
    }

    /// Writes `text` over the previous line on standard output.
    mutating func show(_ text: String) {
        let padding = max(0, width - text.count)
        width = text.count
        Self.write("\r" + text + String(repeating: " ", count: padding))
    }

    /// Clears the line so the summary starts at the left margin.
    mutating func clear() {
        guard width > 0 else { return }
        Self.write("\r" + String(repeating: " ", count: width) + "\r")
        width = 0
    }

    private static func write(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { Glibc.write(1, $0.baseAddress! + offset, $0.count - offset) }
            if written <= 0 { return }
            offset += written
        }
    }
}
