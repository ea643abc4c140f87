/// The final account of a transmit run, as one line of text or as JSON.
///
/// Text: `frames N bytes N seconds S rate N frames/s (X Mbit/s) send-errors N`, then
/// `too-big N` and `skipped N` when they are not zero, then `interrupted` after SIGINT/SIGTERM.
public struct TransmitSummary: Sendable, Equatable, Codable {
    /// Frames handed to the kernel.
    public var frames: UInt64
    /// Their bytes (without FCS).
    public var bytes: UInt64
    /// Seconds from the first thread's start to the last thread's end.
    public var seconds: Double
    /// Frames the kernel refused or that were abandoned when sending failed.
    public var sendErrors: UInt64
    /// Frames longer than the interface carries, skipped.
    public var tooBig: UInt64
    /// Frames too short to be Ethernet, skipped.
    public var skipped: UInt64
    /// Whether SIGINT or SIGTERM ended the run.
    public var interrupted: Bool

    enum CodingKeys: String, CodingKey {
        case frames, bytes, seconds, interrupted
        case sendErrors = "send_errors"
        case tooBig = "too_big"
        case skipped
    }

    /// A summary of `counters` over `seconds`.
    public init(counters: TransmitCounters, seconds: Double, interrupted: Bool = false) {
        frames = counters.frames
        bytes = counters.bytes
        self.seconds = seconds
        sendErrors = counters.sendErrors
        tooBig = counters.tooBig
        skipped = counters.skipped
        self.interrupted = interrupted
    }

    /// Frames per second over the run.
    public var framesPerSecond: Double { seconds > 0 ? Double(frames) / seconds : 0 }

    /// Megabits per second of frame bytes (without preamble, FCS and gap).
    public var megabitsPerSecond: Double { seconds > 0 ? Double(bytes) * 8 / seconds / 1e6 : 0 }

    /// The one-line text form.
    public var text: String {
        var line =
            "frames \(frames) bytes \(bytes) seconds \(DecimalText.fixed(seconds, digits: 3)) "
            + "rate \(DecimalText.fixed(framesPerSecond, digits: 0)) frames/s "
            + "(\(DecimalText.fixed(megabitsPerSecond, digits: 1)) Mbit/s) send-errors \(sendErrors)"
        if tooBig > 0 { line += " too-big \(tooBig)" }
        if skipped > 0 { line += " skipped \(skipped)" }
        if interrupted { line += " interrupted" }
        return line
    }

    /// The JSON form: the counters, `seconds`, `frames_per_second` and `mbit_per_second`.
    public var json: String {
        "{\"frames\":\(frames),\"bytes\":\(bytes),\"seconds\":\(DecimalText.fixed(seconds, digits: 6)),"
            + "\"frames_per_second\":\(DecimalText.fixed(framesPerSecond, digits: 0)),"
            + "\"mbit_per_second\":\(DecimalText.fixed(megabitsPerSecond, digits: 3)),"
            + "\"send_errors\":\(sendErrors),\"too_big\":\(tooBig),\"skipped\":\(skipped),"
            + "\"interrupted\":\(interrupted)}"
    }
}

/// Fixed-point text for non-negative numbers, without Foundation.
enum DecimalText {
    /// `value` rounded to `digits` decimals (negative or non-finite values as 0).
    static func fixed(_ value: Double, digits: Int) -> String {
        guard value.isFinite, value > 0 else { return digits == 0 ? "0" : "0." + String(repeating: "0", count: digits) }
        var scale: UInt64 = 1
        for _ in 0..<digits { scale *= 10 }
        let scaled = UInt64(min((value * Double(scale)).rounded(), 9.0e18))
        let whole = scaled / scale
        guard digits > 0 else { return "\(whole)" }
        let fraction = String(scaled % scale)
        return "\(whole)." + String(repeating: "0", count: digits - fraction.count) + fraction
    }
}
