/// A strict reader of the Prometheus text format (0.0.4), written for the tests: it checks what a
/// scraper relies on and fails with the offending line.
struct Exposition {
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct ParseError: Error, CustomStringConvertible {
        var line: String
        var reason: String
        var description: String { "\(reason): \(line)" }
    }

    var types: [String: String] = [:]
    var helps: [String: String] = [:]
    var samples: [Sample] = []

    /// The value of `name` with exactly `labels`, if present.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first(where: { $0.name == name && $0.labels == labels })?.value
    }

    init(parsing text: String) throws {
        guard text.hasSuffix("\n") else { throw ParseError(line: "", reason: "the text must end with a line feed") }
        var familyOrder: [String] = []
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            let line = String(raw)
            if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") {
                let body = line.dropFirst(7)
                guard let space = body.firstIndex(of: " ") else { throw ParseError(line: line, reason: "no text") }
                let name = String(body[..<space])
                let rest = String(body[body.index(after: space)...])
                guard Self.isMetricName(name) else { throw ParseError(line: line, reason: "bad metric name") }
                if line.hasPrefix("# HELP ") {
                    guard helps[name] == nil else { throw ParseError(line: line, reason: "second HELP") }
                    helps[name] = rest
                } else {
                    guard types[name] == nil else { throw ParseError(line: line, reason: "second TYPE") }
                    guard ["counter", "gauge", "histogram", "summary", "untyped"].contains(rest) else {
                        throw ParseError(line: line, reason: "unknown type")
                    }
                    guard !samples.contains(where: { $0.name == name }) else {
                        throw ParseError(line: line, reason: "TYPE after samples")
                    }
                    types[name] = rest
                    familyOrder.append(name)
                }
                continue
            }
            if line.hasPrefix("#") || line.isEmpty { continue }
            let sample = try Self.parseSample(line)
            guard types[sample.name] != nil else { throw ParseError(line: line, reason: "sample without TYPE") }
            guard familyOrder.last == sample.name else {
                throw ParseError(line: line, reason: "sample apart from its family")
            }
            guard !samples.contains(where: { $0.name == sample.name && $0.labels == sample.labels }) else {
                throw ParseError(line: line, reason: "duplicate sample")
            }
            samples.append(sample)
        }
    }

    static func isMetricName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy {
            $0 == "_" || $0 == ":" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
        }
    }

    static func isLabelName(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix("__") && !("0"..."9").contains(name.unicodeScalars.first!)
            && name.unicodeScalars.allSatisfy {
                $0 == "_" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
            }
    }

    private static func parseSample(_ line: String) throws -> Sample {
        let characters = Array(line)
        var index = 0
        var name = ""
        while index < characters.count, characters[index] != "{", characters[index] != " " {
            name.append(characters[index])
            index += 1
        }
        guard isMetricName(name) else { throw ParseError(line: line, reason: "bad metric name") }
        var labels: [String: String] = [:]
        if index < characters.count, characters[index] == "{" {
            index += 1
            while index < characters.count, characters[index] != "}" {
                var label = ""
                while index < characters.count, characters[index] != "=" {
                    label.append(characters[index])
                    index += 1
                }
                guard isLabelName(label), index + 1 < characters.count, characters[index + 1] == "\"" else {
                    throw ParseError(line: line, reason: "bad label")
                }
                index += 2
                var value = ""
                while index < characters.count, characters[index] != "\"" {
                    if characters[index] == "\\" {
                        guard index + 1 < characters.count else { throw ParseError(line: line, reason: "bad escape") }
                        switch characters[index + 1] {
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        case "n": value.append("\n")
                        default: throw ParseError(line: line, reason: "bad escape")
                        }
                        index += 2
                    } else {
                        value.append(characters[index])
                        index += 1
                    }
                }
                guard index < characters.count else { throw ParseError(line: line, reason: "unterminated label") }
                guard labels[label] == nil else { throw ParseError(line: line, reason: "duplicate label") }
                labels[label] = value
                index += 1
                if index < characters.count, characters[index] == "," { index += 1 }
            }
            guard index < characters.count else { throw ParseError(line: line, reason: "unterminated labels") }
            index += 1
        }
        guard index < characters.count, characters[index] == " " else {
            throw ParseError(line: line, reason: "no value")
        }
        let fields = String(characters[(index + 1)...]).split(separator: " ")
        guard fields.count == 1 || fields.count == 2, let value = parseValue(String(fields[0])) else {
            throw ParseError(line: line, reason: "bad value")
        }
        return Sample(name: name, labels: labels, value: value)
    }

    private static func parseValue(_ text: String) -> Double? {
        switch text {
        case "+Inf": return .infinity
        case "-Inf": return -.infinity
        case "NaN": return .nan
        default: return Double(text)
        }
    }
}
