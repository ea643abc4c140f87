import Foundation
import Frame
import Loader
import Pipeline
import Policy
import Ruleset
import Testing

/// Dynamic sets through the loader: `add` and `update` in test blocks of several packets, full
/// sets, initial elements, errors at their place, and what a reload keeps.
@Suite struct DynamicSetTests {
    func load(_ text: String) -> LoadReport {
        PolicyLoader.load(text: text, path: "/tmp/bk-dynsets.policy")
    }

    static let knock = """
        version 1
        default drop
        set knocked { type ipv4_addr; flags dynamic,timeout; timeout 60s; size 2; }
        rule "knock" {
            match tcp dport 7000
            add @knocked { ip saddr }
        }
        rule "ssh" {
            match tcp dport 22 ip saddr @knocked
            forward
        }
        rule "stranger" {
            match tcp dport 22 ip saddr != @knocked
            drop
        }

        """

    /// The knock lets its source through, the others not, and only until the timeout.
    @Test func knockThenSSH() {
        let report = load(
            Self.knock + """
                test "knock" {
                    packet ip saddr 198.18.0.1 tcp dport 22
                    expect drop by "stranger"
                    packet ip saddr 198.18.0.1 tcp dport 7000
                    expect drop by default
                    packet ip saddr 198.18.0.1 tcp dport 22
                    expect forward by "ssh"
                    packet ip saddr 198.18.0.2 tcp dport 22
                    expect drop by "stranger"
                    wait 59s
                    packet ip saddr 198.18.0.1 tcp dport 7000
                    expect drop by default
                    wait 1s
                    packet ip saddr 198.18.0.1 tcp dport 22
                    expect drop by "stranger"
                }
                test "without the knock" {
                    packet ip saddr 198.18.0.1 tcp dport 22
                    expect forward by "ssh"
                }
                """)
        #expect(report.tests.map(\.passed) == [true, false])
        // Each block starts with an empty set: the second one's ssh is not let through.
        #expect(report.errors.first?.message.contains("expected forward by \"ssh\"") == true)
        #expect(report.errors.first?.location?.line == 32)
    }

    /// `update` refreshes the timeout (its own, here), `add` does not.
    @Test func updateRefreshesAndAddDoesNot() {
        let report = load(
            """
            version 1
            default drop
            set seen { type ipv4_addr; flags dynamic,timeout; timeout 10s; }
            rule "refresh" {
                match udp dport 53
                update @seen { ip saddr timeout 30s }
            }
            rule "first" {
                match udp dport 54
                add @seen { ip saddr }
            }
            rule "known" {
                match ip saddr @seen udp dport 123
                forward
            }
            test "update" {
                packet ip saddr 198.18.0.1 udp dport 53
                expect drop by default
                wait 29s
                packet ip saddr 198.18.0.1 udp dport 53
                expect drop by default
                wait 29s
                packet ip saddr 198.18.0.1 udp dport 123
                expect forward by "known"
                wait 1s
                packet ip saddr 198.18.0.1 udp dport 123
                expect drop by default
            }
            test "add" {
                packet ip saddr 198.18.0.2 udp dport 54
                expect drop by default
                wait 9s
                packet ip saddr 198.18.0.2 udp dport 54
                expect drop by default
                wait 1s
                packet ip saddr 198.18.0.2 udp dport 123
                expect drop by default
            }
            """)
        #expect(report.errors.isEmpty, "\(report.errors.map(\.rendered))")
        #expect(report.tests.map(\.passed) == [true, true])
    }

    /// nft's compound durations (`1m30s`) are the set's timeout to the nanosecond.
    @Test func compoundTimeouts() throws {
        let report = load(
            """
            version 1
            default drop
            set s { type ipv4_addr; flags dynamic,timeout; timeout 1m30s; }
            rule "in" {
                match udp dport 1
                add @s { ip saddr }
            }
            rule "known" {
                match ip saddr @s udp dport 2
                forward
            }
            test "timeout" {
                packet ip saddr 198.18.0.1 udp dport 1
                expect drop by default
                wait 89999ms
                packet ip saddr 198.18.0.1 udp dport 2
                expect forward by "known"
                wait 1ms
                packet ip saddr 198.18.0.1 udp dport 2
                expect drop by default
            }
            """)
        #expect(report.errors.isEmpty, "\(report.errors.map(\.rendered))")
        #expect(report.loaded?.compiled.dynamicSets.first?.spec.timeout == 90_000_000_000)
    }

    /// A full set refuses the element and stops the rule there (nft breaks it): its verdict is
    /// not given and evaluation goes on; the refusal is counted.
    @Test func fullSetStopsTheRule() throws {
        let report = load(
            """
            version 1
            default forward
            set few { type ipv4_addr; size 1; }
            rule "remember-and-drop" {
                match tcp dport 7000
                add @few { ip saddr }
                drop
            }
            rule "known" {
                match ip saddr @few
                reject
            }
            test "full" {
                packet ip saddr 198.18.0.1 tcp dport 7000
                expect drop by "remember-and-drop"
                packet ip saddr 198.18.0.2 tcp dport 7000
                expect forward by default
                packet ip saddr 198.18.0.1 tcp dport 7000
                expect drop by "remember-and-drop"
                packet ip saddr 198.18.0.1 udp dport 1
                expect reject by "known"
            }
            """)
        #expect(report.errors.isEmpty, "\(report.errors.map(\.rendered))")
        let compiled = try #require(report.loaded?.compiled)
        #expect(compiled.dynamicSets.map(\.spec.size) == [1])
        #expect(compiled.dynamicSets.first?.spec.timeout == nil)
        let state = ThreadState.standalone()
        let pipeline = Pipeline(
            policy: compiled, counters: RuleCounters(ruleCount: compiled.ruleCount), state: state, now: 0)
        #expect(verdict(pipeline, source: 0xC612_0001, port: 7000) == .drop)
        #expect(verdict(pipeline, source: 0xC612_0002, port: 7000) == .forward)
        let table = try #require(state.shared.existingDynamicSetTable(for: compiled.dynamicSets[0]))
        #expect(table.refused == 1 && table.heldCount == 1 && table.capacity == 1)
    }

    /// Elements written in a dynamic set are its initial content; a frame without the field
    /// is not a member (and `!=` holds for it).
    @Test func initialElementsAndMissingFields() {
        let report = load(
            """
            version 1
            default drop
            set allowed { type ipv6_addr; flags dynamic; elements = { 2001:db8::1 } }
            rule "allowed" {
                match ip6 saddr @allowed
                forward
            }
            rule "others" {
                match ip6 saddr != @allowed
                reflect
            }
            test "initial" {
                packet ip6 saddr 2001:db8::1 udp dport 1
                expect forward by "allowed"
                packet ip6 saddr 2001:db8::2 udp dport 1
                expect reflect by "others"
                packet ip saddr 198.18.0.1 udp dport 1
                expect reflect by "others"
            }
            """)
        #expect(report.errors.isEmpty, "\(report.errors.map(\.rendered))")
        #expect(report.tests.map(\.passed) == [true])
    }

    /// Every kind of key: MACs and ports too.
    @Test func macAndPortKeys() {
        let report = load(
            """
            version 1
            default drop
            set macs { typeof ether saddr; }
            set ports { type inet_service; flags dynamic; }
            rule "learn" {
                match iif a
                add @macs { ether saddr }
                add @ports { udp sport }
            }
            rule "back" {
                match iif b ether daddr @macs udp dport @ports
                forward
            }
            test "learned" {
                packet iif b ether daddr 02:00:00:00:00:01 udp dport 5000
                expect drop by default
                packet iif a ether saddr 02:00:00:00:00:01 udp sport 5000
                expect drop by default
                packet iif b ether daddr 02:00:00:00:00:01 udp dport 5000
                expect forward by "back"
                packet iif b ether daddr 02:00:00:00:00:01 udp dport 5001
                expect drop by default
            }
            """)
        #expect(report.errors.isEmpty, "\(report.errors.map(\.rendered))")
        #expect(report.tests.map(\.passed) == [true])
    }

    @Test(arguments: [
        (
            "rule \"r\" {\n    match tcp dport 1\n    add @nowhere { ip saddr }\n}", 5, 9,
            "undefined set '@nowhere'"
        ),
        (
            "set plain = { 198.18.0.1 }\nrule \"r\" {\n    match tcp dport 1\n    add @plain { ip saddr }\n}", 6,
            9, "needs the set declared with its type"
        ),
        (
            "set s { type ipv4_addr; }\nrule \"r\" {\n    match tcp dport 1\n    update @s { ip saddr timeout 5s }\n}",
            6, 34, "keeps its elements without a timeout"
        ),
        (
            "set s { type ipv4_addr; }\nrule \"r\" {\n    match tcp dport 1\n    add @s { ether saddr }\n}", 6, 14,
            "which ether saddr does not fit"
        ),
        (
            "set s { type ct_state; flags dynamic; }\nrule \"r\" {\n    match ct state @s\n    drop\n}", 3, 5,
            "a dynamic set holds addresses"
        ),
        (
            "set s { type ipv4_addr; flags dynamic, interval; }\nrule \"r\" {\n    match ip saddr @s\n    drop\n}", 3,
            40, "'interval' cannot go with 'dynamic'"
        ),
        (
            "set s { type ipv4_addr; elements = { 198.18.0.0/24 } }\nrule \"r\" {\n    match tcp dport 1\n"
                + "    add @s { ip saddr }\n}", 3, 5, "single values, not prefixes or ranges"
        ),
        (
            "set s { type ipv4_addr; }\nrule \"r\" {\n    match tcp dport 1\n    add @s { ip saddr counter }\n}", 6,
            23, "'counter' in a set element is not supported"
        ),
        (
            "rule \"r\" {\n    match tcp dport 1\n    delete @s { ip saddr }\n}", 5, 5,
            "'delete' removes an element"
        ),
    ])
    func errorsAreReportedWhereWritten(body: String, line: Int, column: Int, message: String) {
        let report = load("version 1\ndefault forward\n" + body + "\n")
        let error = report.errors.first
        #expect(error?.message.contains(message) == true, "\(report.errors.map(\.rendered))")
        #expect(error?.location?.line == line && error?.location?.column == column, "\(report.errors.map(\.rendered))")
    }

    /// A reload keeps the elements of a set whose declaration did not change, and starts a
    /// changed one empty.
    @Test func reloadKeepsAnUnchangedSet() throws {
        let state = ThreadState.standalone()
        func pipeline(_ text: String) throws -> Pipeline {
            let compiled = try #require(load(text).loaded?.compiled)
            return Pipeline(
                policy: compiled, counters: RuleCounters(ruleCount: compiled.ruleCount), state: state, now: 1)
        }
        let first = try pipeline(Self.knock)
        #expect(verdict(first, source: 0xC612_0001, port: 7000) == .drop)
        #expect(verdict(first, source: 0xC612_0001, port: 22) == .forward)
        // Another rule changed, the set did not: the knock is remembered.
        let renamed = Self.knock.replacingOccurrences(of: "\"stranger\"", with: "\"unknown\"")
        let second = try pipeline(renamed)
        #expect(verdict(second, source: 0xC612_0001, port: 22) == .forward)
        // The set's size changed: it starts empty.
        let resized = renamed.replacingOccurrences(of: "size 2;", with: "size 3;")
        let third = try pipeline(resized)
        #expect(verdict(third, source: 0xC612_0001, port: 22) == .drop)
    }

    /// The verdict for a TCP segment from `source` to `port`, now.
    func verdict(_ pipeline: Pipeline, source: UInt32, port: UInt16) -> VerdictCode {
        var segment = FrameBuilder.TCP()
        segment.destinationPort = port
        var ip = FrameBuilder.IPv4()
        ip.source = source
        ip.destination = 0xC612_00FE
        ip.transport = .tcp(segment)
        var builder = FrameBuilder()
        builder.network = .ipv4(ip)
        var bytes = builder.build()
        var effects = NoEffects()
        return bytes.withUnsafeMutableBytes { raw in
            var frame = FrameBuffer(storage: raw.baseAddress!, capacity: raw.count, start: 0, length: raw.count)
            return pipeline.process(&frame, port: 0, now: 2, effects: &effects).verdict
        }
    }
}
