import Loader
import Policy
import Testing

/// Warnings computed from the checked policy (the mirror's notes) get the text of their own line
/// for the caret display, from any source file, once per policy however many there are.
@Suite struct ExtraWarningTests {
    @Test func eachNoteGetsTheTextOfItsOwnLine() {
        let path = "/tmp/bk-extra-warnings.policy"
        var text = "version 1\ndefault forward\n"
        for n in 1...300 { text += "rule \"r\(n)\" {\n    match udp dport \(1000 + n)\n    drop\n}\n" }
        let report = PolicyLoader.load(text: text, path: path) { policy in
            policy.rules.map { Diagnostic(.note, .partlyMirrorable, "about \($0.name)", at: $0.location) }
        }
        let notes = report.diagnostics.filter { $0.code == .partlyMirrorable }
        #expect(notes.count == 300)
        for (index, note) in notes.enumerated() {
            #expect(note.sourceLine == "rule \"r\(index + 1)\" {", "note \(index + 1)")
            #expect(note.length == 4)  // the word `rule` under the caret
        }
    }

    @Test func aNoteOutsideTheSourcesHasNoLine() {
        let report = PolicyLoader.load(text: "version 1\ndefault forward\n", path: "/tmp/bk-extra-none.policy") { _ in
            [
                Diagnostic(
                    .note, .partlyMirrorable, "elsewhere", at: SourceLocation(file: "/nowhere", line: 1, column: 1)),
                Diagnostic(
                    .note, .partlyMirrorable, "past the end",
                    at: SourceLocation(file: "/tmp/bk-extra-none.policy", line: 99, column: 1)),
            ]
        }
        let notes = report.diagnostics.filter { $0.code == .partlyMirrorable }
        #expect(notes.map(\.sourceLine) == [nil, nil])
    }
}
