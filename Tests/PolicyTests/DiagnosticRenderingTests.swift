import Policy
import Testing

@Suite("Rendered diagnostics")
struct DiagnosticRenderingTests {
    @Test func fileLineColumnThenTheLineAndACaret() throws {
        let text = wrapped("rule \"x\" {\n    match tcp dport 70000\n    drop\n}\n")
        let error = try #require(singleError(text))
        #expect(
            error.rendered == """
                t.policy:4:21: error: value 70000 is out of range for tcp dport (0-65535)
                    match tcp dport 70000
                                    ^~~~~
                """)
        #expect(error.summary == "t.policy:4:21: error: value 70000 is out of range for tcp dport (0-65535)")
    }

    @Test func caretUnderlinesTwoWordFields() throws {
        let error = try #require(singleError(wrapped("rule \"x\" { match ip dcsp 1; drop }\n")))
        #expect(error.rendered.hasSuffix("rule \"x\" { match ip dcsp 1; drop }\n                 ^~~~~~~"))
    }

    @Test func tabsAreKeptSoTheCaretLinesUp() throws {
        let error = try #require(singleError(wrapped("rule \"x\" {\n\tmatch\ttcp dport 70000\n\tdrop\n}\n")))
        #expect(error.location == at(4, 18))
        #expect(error.rendered.hasSuffix("\tmatch\ttcp dport 70000\n\t     \t          ^~~~~"))
    }

    @Test func carriageReturnsAreNotShown() throws {
        let error = try #require(
            singleError("version 1\r\ndefault forward\r\nrule \"x\" { match tcp dport 70000; drop }\r\n"))
        #expect(error.sourceLine == "rule \"x\" { match tcp dport 70000; drop }")
    }

    @Test func warningsRenderTheSameWay() throws {
        let result = check(wrapped("define UNUSED = 1\n"))
        #expect(
            result.warnings.first?.rendered == """
                t.policy:3:8: warning: define '$UNUSED' is never used
                define UNUSED = 1
                       ^~~~~~
                """)
        #expect(result.policy != nil)
    }

    @Test func diagnosticsAreSortedByFileLineAndColumn() {
        // The set's element is checked when rule "b" uses it, after rule "a" on line 4 was seen by
        // the parser but before rule "a" is resolved: the report still comes out in file order.
        let text = wrapped(
            """
            set late = { 1, 99999 }
            rule "a" { match tcp dport 70000; drop }
            rule "b" { match tcp dport @late; drop }
            rule "c" { match tcp dport 0x1ffff; drop }
            """)
        #expect(
            errorSummary(check(text)) == [
                "3:17 value-out-of-range", "4:28 value-out-of-range", "6:28 value-out-of-range",
            ])
    }
}
