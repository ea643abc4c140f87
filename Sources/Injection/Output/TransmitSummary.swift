import Capture
import Platform

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
    /// Where the capture is damaged (nil: whole, or generated frames): only the whole frames
    /// before the damage were sent. In the JSON, not decoded from it.
    public var damage: CaptureDamage? = nil

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

    /// The JSON form: the counters, `seconds`, `frames_per_second` and `mbit_per_second`, then
    /// `"damage":[{"file":PATH,"frame":N,"offset":BYTES,"kind":KIND,"reason":TEXT}]` when the
    /// capture is damaged (absent when it is whole): the same shape as `replay --json`'s.
    public var json: String {
        var json = JSONWriter()
        json.beginObject()
        json.field("frames", frames)
        json.field("bytes", bytes)
        json.field("seconds", seconds, digits: 6)
        json.field("frames_per_second", framesPerSecond, digits: 0)
        json.field("mbit_per_second", megabitsPerSecond, digits: 3)
        json.field("send_errors", sendErrors)
        json.field("too_big", tooBig)
        json.field("skipped", skipped)
        json.field("interrupted", interrupted)
        if let damage {
            json.key("damage")
            json.beginArray()
            damage.write(into: &json)
            json.endArray()
        }
        json.endObject()
        return json.text
    }
}
