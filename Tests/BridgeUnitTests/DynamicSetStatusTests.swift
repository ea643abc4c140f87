import Foundation
import Frame
import Loader
import Operations
import Pipeline
import Ruleset
import Testing

@testable import Bridge

/// `status` and `set-list` for dynamic sets: read from the shared tables the workers add to.
@Suite("Dynamic sets in status")
struct DynamicSetStatusTests {
    static let policy = """
        version 1
        default drop
        set knocked { type ipv4_addr; flags dynamic,timeout; timeout 60s; size 2; }
        set macs { type ether_addr; flags dynamic; elements = { 02:00:00:00:00:09 } }
        rule "knock" {
            match tcp dport 7000
            add @knocked { ip saddr }
        }
        rule "ssh" {
            match tcp dport 22 ip saddr @knocked ether saddr != @macs
            forward
        }
        """

    /// Three sources knock on a set of two: two are held, one refused; the listing says when
    /// each expires, the MAC set's initial element never does.
    @Test func countsCapacityRefusalsAndTheListing() throws {
        let loaded = try #require(PolicyLoader.load(text: Self.policy, path: "/etc/bk.policy").loaded)
        let compiled = loaded.compiled
        let state = ThreadState.standalone()
        let second: UInt64 = 1_000_000_000
        let pipeline = Pipeline(
            policy: compiled, counters: RuleCounters(ruleCount: compiled.ruleCount), state: state, now: second)
        for source: UInt32 in [0xC612_0001, 0xC612_0002, 0xC612_0003] {
            knock(pipeline, from: source, now: 10 * second)
        }
        let sets = DynamicSetReport.sets(of: compiled, in: state.shared, now: 20 * second)
        #expect(sets.map(\.name) == ["knocked", "macs"])
        #expect(sets[0].elements == 2 && sets[0].capacity == 2 && sets[0].refused == 1 && sets[0].inserted == 2)
        #expect(sets[0].timeoutSeconds == 60)
        #expect(sets[1].elements == 1 && sets[1].capacity == 65_535 && sets[1].timeoutSeconds == nil)
        // After the timeout nothing is held.
        #expect(DynamicSetReport.sets(of: compiled, in: state.shared, now: 70 * second)[0].elements == 0)

        let listing = DynamicSetReport.listing("@knocked", of: compiled, in: state.shared, now: 20 * second)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(listing.utf8)) as? [String: Any])
        let elements = try #require(object["elements"] as? [[String: Any]])
        #expect(elements.map { $0["value"] as? String } == ["198.18.0.1", "198.18.0.2"])
        #expect(elements.map { $0["expiresIn"] as? Double } == [50, 50])
        let macs = DynamicSetReport.listing("macs", of: compiled, in: state.shared, now: 20 * second)
        #expect(macs.contains("\"value\":\"02:00:00:00:00:09\"") && !macs.contains("expiresIn"))
        #expect(DynamicSetReport.listing("nope", of: compiled, in: state.shared, now: 0).contains("error"))

        // The text and the JSON carry them.
        var inputs = try StatusTests.inputs()
        inputs.dynamicSets = sets
        let report = StatusAssembler.report(inputs)
        let lines = StatusText.render(report).split(separator: "\n").map(String.init)
        let row = try #require(lines.first { $0.hasPrefix("@knocked") })
        #expect(row.split(separator: " ") == ["@knocked", "2", "2", "1", "2"])
        let decoded = try JSONDecoder().decode(StatusReport.self, from: Data(report.json.utf8))
        #expect(decoded.dynamicSets.map(\.refused) == [1, 0])
        #expect(decoded.dynamicSets.map(\.timeoutSeconds) == [60, nil])
        // /metrics: one gauge pair and a counter per set, labelled by set.
        let metrics = StatusAssembler.metrics(report, reloads: inputs.reloads, policyLoadedAt: 0)
        let text = PrometheusText.render(metrics)
        #expect(text.contains("bridgekeeper_set_elements{set=\"knocked\"} 2\n"), "\(text)")
        #expect(text.contains("bridgekeeper_set_capacity{set=\"macs\"} 65535\n"))
        #expect(text.contains("bridgekeeper_set_refused_total{set=\"knocked\"} 1\n"))
    }

    func knock(_ pipeline: Pipeline, from source: UInt32, now: UInt64) {
        var segment = FrameBuilder.TCP()
        segment.destinationPort = 7000
        var ip = FrameBuilder.IPv4()
        ip.source = source
        ip.destination = 0xC612_00FE
        ip.transport = .tcp(segment)
        var builder = FrameBuilder()
        builder.network = .ipv4(ip)
        var bytes = builder.build()
        var effects = NoEffects()
        bytes.withUnsafeMutableBytes { raw in
            var frame = FrameBuffer(storage: raw.baseAddress!, capacity: raw.count, start: 0, length: raw.count)
            _ = pipeline.process(&frame, port: 0, now: now, effects: &effects)
        }
    }
}
