import Pipeline
import Platform

/// What a replay did: frames read, outcomes, and the counters of every rule.
public struct ReplaySummary: Sendable, Equatable {
    public var frames = 0
    /// Frames sent on (`forward` and `reflect forward`).
    public var forwarded = 0
    public var dropped = 0
    /// Frames handed to the host (`reflect` and `reflect forward`).
    public var reflected = 0
    /// Rule name and counters, in policy order.
    public var rules: [(name: String, count: RuleCount)] = []
    public var defaultCount = RuleCount()

    public init() {}

    public static func == (a: ReplaySummary, b: ReplaySummary) -> Bool {
        a.frames == b.frames && a.forwarded == b.forwarded && a.dropped == b.dropped && a.reflected == b.reflected
            && a.rules.map(\.name) == b.rules.map(\.name) && a.rules.map(\.count) == b.rules.map(\.count)
            && a.defaultCount == b.defaultCount
    }

    /// Exactly `{"frames":N,"forwarded":N,"dropped":N,"reflected":N,"rules":[{"name":"...","packets":N,"bytes":N},...],"default":{"packets":N,"bytes":N}}`.
    public var json: String {
        var json = JSONWriter()
        json.beginObject()
        json.field("frames", frames)
        json.field("forwarded", forwarded)
        json.field("dropped", dropped)
        json.field("reflected", reflected)
        json.key("rules")
        json.beginArray()
        for (name, count) in rules {
            json.beginObject()
            json.field("name", name)
            json.field("packets", count.packets)
            json.field("bytes", count.bytes)
            json.endObject()
        }
        json.endArray()
        json.key("default")
        json.beginObject()
        json.field("packets", defaultCount.packets)
        json.field("bytes", defaultCount.bytes)
        json.endObject()
        json.endObject()
        return json.text
    }

    /// A table for people.
    public var text: String {
        var lines = [
            "frames \(frames): forwarded \(forwarded), dropped \(dropped), reflected \(reflected)",
            "",
        ]
        let width = max(7, rules.map(\.name.count).max() ?? 0)
        func row(_ name: String, _ packets: String, _ bytes: String) -> String {
            let nameColumn: String = name + String(repeating: " ", count: max(0, width - name.count))
            let packetColumn: String = String(repeating: " ", count: max(0, 12 - packets.count)) + packets
            let byteColumn: String = String(repeating: " ", count: max(0, 14 - bytes.count)) + bytes
            return nameColumn + "  " + packetColumn + "  " + byteColumn
        }
        lines.append(row("rule", "packets", "bytes"))
        for (name, count) in rules { lines.append(row(name, String(count.packets), String(count.bytes))) }
        lines.append(row("default", String(defaultCount.packets), String(defaultCount.bytes)))
        return lines.joined(separator: "\n")
    }
}
