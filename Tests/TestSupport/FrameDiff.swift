/// Short descriptions of how two lists of frames differ, so a failed expectation does not print
/// kilobytes of bytes.
public enum FrameDiff {
    /// nil when equal; otherwise where the first difference is.
    public static func between(_ actual: [[UInt8]], _ expected: [[UInt8]]) -> String? {
        guard actual.count == expected.count else {
            return "got \(actual.count) frames (lengths \(actual.map(\.count))), expected \(expected.count)"
                + " (lengths \(expected.map(\.count)))"
        }
        for (index, (got, want)) in zip(actual, expected).enumerated() {
            if let difference = between(got, want) { return "frame \(index): \(difference)" }
        }
        return nil
    }

    public static func between(_ actual: [UInt8], _ expected: [UInt8]) -> String? {
        if actual == expected { return nil }
        guard actual.count == expected.count else {
            return "length \(actual.count), expected \(expected.count); starts \(hex(actual.prefix(22)))"
                + " vs \(hex(expected.prefix(22)))"
        }
        let offset = actual.indices.first { actual[$0] != expected[$0] } ?? 0
        return "byte \(offset) differs: \(hex(actual[offset..<min(offset + 8, actual.count)])) vs "
            + hex(expected[offset..<min(offset + 8, expected.count)])
    }

    public static func hex(_ bytes: ArraySlice<UInt8>) -> String {
        bytes.map { byte in
            let text = String(byte, radix: 16)
            return text.count == 1 ? "0" + text : text
        }.joined(separator: " ")
    }
}
