import Loader
import Policy
import Testing

/// MSS clamping in `test` blocks: the packet carries the option it names, the expectation reads
/// the option back from the rewritten frame, and a wrong one fails naming both values.
@Suite struct SegmentSizeTestBlockTests {
    static let rules = """
        version 1
        default forward
        rule "clamp-v4" {
            match tcp flags syn ether type ip
            tcp option maxseg size set 1360
            forward
        }
        rule "clamp-v6" {
            match tcp flags syn ether type ip6
            tcp option maxseg size set rt mtu
            forward
        }
        rule "tiny" {
            match tcp option maxseg size 1-500
            drop
        }

        """

    func load(_ tests: String) -> LoadReport {
        PolicyLoader.load(text: Self.rules + tests, path: "/tmp/bk-mss.policy")
    }

    @Test func clampedLoweredNeverRaisedAndMatched() {
        let report = load(
            """
            test "lowered" {
                packet tcp flags syn tcp dport 443 tcp option maxseg size 1460
                expect forward by "clamp-v4" with tcp option maxseg size 1360
            }
            test "not raised" {
                packet tcp flags syn tcp option maxseg size 1200
                expect forward by "clamp-v4" with tcp option maxseg size 1200
            }
            test "rt mtu over IPv6: 1500 less 60" {
                packet ip6 saddr 2001:db8::1 tcp flags syn tcp option maxseg size 8960
                expect forward by "clamp-v6" with tcp option maxseg size 1440
            }
            test "a small MSS matches" {
                packet tcp flags ack tcp option maxseg size 400
                expect drop by "tiny"
            }
            test "no option, no match" {
                packet tcp flags ack tcp dport 80
                expect forward by default
            }
            """)
        #expect(report.errors.isEmpty, "\(report.errors.map(\.rendered))")
        #expect(report.tests.map(\.passed) == [true, true, true, true, true])
    }

    @Test func aWrongExpectationNamesBothValues() {
        let report = load(
            """
            test "expects too much" {
                packet tcp flags syn tcp option maxseg size 1460
                expect forward by "clamp-v4" with tcp option maxseg size 1460
            }
            test "expects an option a plain segment lacks" {
                packet tcp flags ack
                expect forward with tcp option maxseg size 1460
            }
            """)
        #expect(report.loaded == nil)
        #expect(
            report.errors.map(\.message) == [
                "test \"expects too much\" failed: expected tcp option maxseg size 1460, got 1360",
                "test \"expects an option a plain segment lacks\" failed: expected tcp option maxseg size 1460, got "
                    + "nothing (the frame has no tcp option maxseg size)",
            ])
    }
}
