/// The one way the tool writes JSON: compact (no spaces, no newline), fields in the order they
/// are written, strings escaped per RFC 8259. `check --json`, `replay --json` and
/// `inject/pktgen --json` document their field order, so it is the writer's order, not a sorted
/// or hashed one.
///
/// ```swift
/// var json = JSONWriter()
/// json.beginObject()
/// json.field("frames", 12)
/// json.key("rules")
/// json.beginArray()
/// json.beginObject(); json.field("name", "web"); json.endObject()
/// json.endArray()
/// json.endObject()
/// print(json.text)  // {"frames":12,"rules":[{"name":"web"}]}
/// ```
///
/// For reports and replies, not for the per-frame path (it builds a String).
public struct JSONWriter: Sendable {
    /// The JSON written so far.
    public private(set) var text = ""
    /// One entry per open object or array: whether it has a member yet (a comma goes before the
    /// next one).
    private var hasMember: [Bool] = []
    /// A key was just written: its value follows without a comma.
    private var afterKey = false

    /// An empty writer.
    public init() {}

    // MARK: Structure

    /// Opens an object (`{`).
    public mutating func beginObject() {
        separate()
        text += "{"
        hasMember.append(false)
    }

    /// Closes the innermost object (`}`).
    public mutating func endObject() {
        text += "}"
        hasMember.removeLast()
    }

    /// Opens an array (`[`).
    public mutating func beginArray() {
        separate()
        text += "["
        hasMember.append(false)
    }

    /// Closes the innermost array (`]`).
    public mutating func endArray() {
        text += "]"
        hasMember.removeLast()
    }

    /// Writes an object member's key; its value comes next.
    public mutating func key(_ name: String) {
        separate()
        text += Self.quoted(name) + ":"
        afterKey = true
    }

    // MARK: Values

    /// A string value.
    public mutating func value(_ string: String) {
        separate()
        text += Self.quoted(string)
    }

    /// An integer value.
    public mutating func value<Integer: BinaryInteger>(_ integer: Integer) {
        separate()
        text += "\(integer)"
    }

    /// `true` or `false`.
    public mutating func value(_ bool: Bool) {
        separate()
        text += bool ? "true" : "false"
    }

    /// A non-negative number in fixed point with `digits` decimals (``DecimalText/fixed(_:digits:)``):
    /// `3.892647`, `513789`.
    public mutating func value(_ number: Double, digits: Int) {
        separate()
        text += DecimalText.fixed(number, digits: digits)
    }

    /// `null`.
    public mutating func null() {
        separate()
        text += "null"
    }

    // MARK: Members

    /// `"name":"string"`.
    public mutating func field(_ name: String, _ string: String) {
        key(name)
        value(string)
    }

    /// `"name":string`, or `"name":null` when `string` is nil.
    public mutating func field(_ name: String, _ string: String?) {
        key(name)
        if let string { value(string) } else { null() }
    }

    /// `"name":integer`.
    public mutating func field<Integer: BinaryInteger>(_ name: String, _ integer: Integer) {
        key(name)
        value(integer)
    }

    /// `"name":true` or `false`.
    public mutating func field(_ name: String, _ bool: Bool) {
        key(name)
        value(bool)
    }

    /// `"name":number` in fixed point with `digits` decimals.
    public mutating func field(_ name: String, _ number: Double, digits: Int) {
        key(name)
        value(number, digits: digits)
    }

    // MARK: Text

    /// `text` as a JSON string literal: quotes, backslashes and control characters escaped.
    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// The comma before a member of an array or object after its first, nothing after a key.
    private mutating func separate() {
        if afterKey {
            afterKey = false
            return
        }
        guard let last = hasMember.indices.last else { return }
        if hasMember[last] { text += "," }
        hasMember[last] = true
    }
}
