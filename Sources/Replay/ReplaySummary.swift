import Capture
import Flow
import Pipeline
import Platform

/// What a replay did: frames read, outcomes, answers, the flow table's figures, and the counters
/// of every rule.
public struct ReplaySummary: Sendable, Equatable {
    /// One rule's counters, in policy order.
    public struct Rule: Sendable, Equatable {
        public var name: String
        public var count: RuleCount
        /// The rule's verdict is `reject`: its answers are shown.
        public var rejects: Bool

        /// The counters of rule `name`.
        public init(name: String, count: RuleCount, rejects: Bool = false) {
            self.name = name
            self.count = count
            self.rejects = rejects
        }
    }

    public var frames = 0
    /// Frames sent on (`forward` and `reflect forward`).
    public var forwarded = 0
    /// Frames dropped, `reject`ed ones included.
    public var dropped = 0
    /// Frames handed to the host (`reflect` and `reflect forward`).
    public var reflected = 0
    /// Frames a `reject` decided (counted in ``dropped`` too).
    public var rejected = 0
    /// Answers built for rejected frames (written to `--answers`): those the answer rate let go.
    public var answers = 0
    /// Frames stamped earlier than a frame before them (clocked at the latest time seen).
    public var outOfOrder = 0
    /// The flow table's figures at the end (nil: the policy does not match `ct`, or `--flows 0`).
    public var flows: FlowStatistics?
    /// Every rule's counters, in policy order.
    public var rules: [Rule] = []
    public var defaultCount = RuleCount()
    /// The default verdict is `reject`.
    public var defaultRejects = false
    /// The damaged captures: each was replayed up to its damage (empty: every capture was whole).
    public var damage: [CaptureDamage] = []

    public init() {}

    /// Some rule, or the default, rejects: answers are part of the summary.
    public var rejects: Bool { defaultRejects || rules.contains(where: \.rejects) }

    /// `{"frames":N,"forwarded":N,"dropped":N,"reflected":N,"rules":[{"name":"...","packets":N,"bytes":N},...],"default":{"packets":N,"bytes":N}}`,
    /// with more where they apply: `"rejected"` and `"answers"` after `"reflected"`, and
    /// `"answers"`, `"answersSuppressed"` and `"unanswered"` in each rejecting rule (and the
    /// default when it rejects), when the policy rejects; `"outOfOrder"` when some frame was
    /// stamped before an earlier one; `"flows"` (the table's figures, as `status` names them)
    /// after the rules, when the replay tracked flows; `"damage"` last, when a capture is damaged:
    /// `[{"file":PATH,"frame":N,"offset":BYTES,"kind":KIND,"reason":TEXT},...]`, one object per
    /// damaged capture (``CaptureDamage``), absent when every capture was whole.
    public var json: String {
        var json = JSONWriter()
        json.beginObject()
        json.field("frames", frames)
        json.field("forwarded", forwarded)
        json.field("dropped", dropped)
        json.field("reflected", reflected)
        if rejects {
            json.field("rejected", rejected)
            json.field("answers", answers)
        }
        if outOfOrder > 0 { json.field("outOfOrder", outOfOrder) }
        json.key("rules")
        json.beginArray()
        for rule in rules {
            json.beginObject()
            json.field("name", rule.name)
            Self.write(rule.count, rejects: rule.rejects, into: &json)
            json.endObject()
        }
        json.endArray()
        json.key("default")
        json.beginObject()
        Self.write(defaultCount, rejects: defaultRejects, into: &json)
        json.endObject()
        if let flows {
            json.key("flows")
            json.beginObject()
            json.field("inUse", flows.inUse)
            json.field("capacity", flows.capacity)
            json.field("created", flows.created)
            json.field("expired", flows.expired)
            json.field("closed", flows.closed)
            json.field("evicted", flows.evicted)
            json.field("refusedFull", flows.refusedFull)
            json.field("invalid", flows.invalid)
            json.endObject()
        }
        if !damage.isEmpty {
            json.key("damage")
            json.beginArray()
            for found in damage { found.write(into: &json) }
            json.endArray()
        }
        json.endObject()
        return json.text
    }

    private static func write(_ count: RuleCount, rejects: Bool, into json: inout JSONWriter) {
        json.field("packets", count.packets)
        json.field("bytes", count.bytes)
        guard rejects else { return }
        json.field("answers", count.answers)
        json.field("answersSuppressed", count.answersSuppressed)
        json.field("unanswered", count.unanswered)
    }

    /// A table for people.
    public var text: String {
        var headline = "frames \(frames): forwarded \(forwarded), dropped \(dropped), reflected \(reflected)"
        if rejects { headline += "; rejected \(rejected), answers \(answers)" }
        var lines = [headline]
        if outOfOrder > 0 {
            lines.append("\(outOfOrder) frames stamped before an earlier one: clocked at the latest time seen")
        }
        if let flows {
            lines.append(
                "flows: created \(flows.created), expired \(flows.expired), closed \(flows.closed), "
                    + "evicted \(flows.evicted), refused (table full) \(flows.refusedFull), invalid frames "
                    + "\(flows.invalid); \(flows.inUse) of \(flows.capacity) in use at the end")
        }
        for found in damage {
            lines.append(
                "\(found.path): replayed up to the damage (\(found.wholeFrames) whole frames): \(found.reason)")
        }
        lines.append("")
        let width = max(7, rules.map(\.name.count).max() ?? 0)
        let answerColumns = rejects
        func row(_ name: String, _ columns: [String]) -> String {
            var line = name + String(repeating: " ", count: max(0, width - name.count))
            for (index, column) in columns.enumerated() {
                let columnWidth = index == 1 ? 14 : 12
                line += "  " + String(repeating: " ", count: max(0, columnWidth - column.count)) + column
            }
            return line
        }
        func columns(_ count: RuleCount, rejects: Bool) -> [String] {
            var columns = [String(count.packets), String(count.bytes)]
            if answerColumns {
                columns += rejects ? [String(count.answers), String(count.answersSuppressed)] : ["-", "-"]
            }
            return columns
        }
        lines.append(row("rule", ["packets", "bytes"] + (answerColumns ? ["answers", "suppressed"] : [])))
        for rule in rules { lines.append(row(rule.name, columns(rule.count, rejects: rule.rejects))) }
        lines.append(row("default", columns(defaultCount, rejects: defaultRejects)))
        return lines.joined(separator: "\n")
    }
}
