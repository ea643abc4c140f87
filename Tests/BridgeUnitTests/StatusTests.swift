import Loader
import Mirror
import Pipeline
import Testing

@testable import Bridge

@Suite("Status report and text")
struct StatusTests {
    static func inputs() throws -> StatusInputs {
        let text = """
            version 1
            default drop
            rule "no-telnet" {
                match tcp dport 23
                drop
            }
            rule "web" {
                match tcp dport 80
                forward
            }
            """
        let loaded = try #require(PolicyLoader.load(text: text, path: "/etc/bk.policy").loaded)
        var a: [PortCounter: UInt64] = [:]
        a[.rxFrames] = 10
        a[.dropped] = 3
        var b: [PortCounter: UInt64] = [:]
        b[.txFrames] = 7
        return StatusInputs(
            pid: 42, uptimeSeconds: 3725, interfaces: ["eth1", "eth2"], portCounters: [a, b], links: [.up, .gone],
            hostPort: "bkhost", policyPath: "/etc/bk.policy",
            active: ActivePolicy(loaded: loaded, generation: 3, loadedAt: 1_780_000_000_000_000_000),
            ruleTotals: [RuleCount(packets: 3, bytes: 180), RuleCount(packets: 7, bytes: 700)],
            defaultTotal: RuleCount(packets: 1, bytes: 60),
            kernelCounters: ["web": RuleCounter(packets: 5, bytes: 500)],
            reloads: ReloadHistory.Record(
                last: StatusReport.Reload(
                    at: "2026-06-01T00:00:00Z", ok: false, generation: 3, message: "1 error; generation 3 stays",
                    errors: ["/etc/bk.policy:4:5: error: unknown field"]), lastAt: 0, count: 4, failures: 1),
            held: 2, onFailure: .open, mirrorTable: "bridgekeeper", workers: 1)
    }

    @Test func theReportCarriesEveryInput() throws {
        let report = StatusAssembler.report(try Self.inputs())
        #expect(report.pid == 42)
        #expect(report.ports.map(\.link) == ["up", "gone"])
        #expect(report.ports[0].counters["rx_frames"] == 10 && report.ports[0].counters["dropped"] == 3)
        #expect(report.ports[1].counters["tx_frames"] == 7 && report.ports[1].counters["rx_frames"] == 0)
        #expect(report.ports[0].counters.count == PortCounter.allCases.count)
        #expect(report.rules.map(\.name) == ["no-telnet", "web"])
        #expect(report.rules[1].kernelPackets == 5 && report.rules[0].kernelPackets == nil)
        #expect(report.defaultVerdict == "drop" && report.defaultPackets == 1)
        #expect(report.policy.generation == 3 && report.policy.rules == 2)
        #expect(report.onFailure == "open" && report.reloads == 4)
    }

    @Test func theTextShowsPortsRulesKernelCountsAndTheFailedReload() throws {
        let text = StatusText.render(StatusAssembler.report(try Self.inputs()))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "bridgekeeper \(BridgekeeperVersion.text), pid 42, up 1h2m, 1 worker, on failure: open")
        #expect(lines.contains { $0.hasPrefix("reload  FAILED at 2026-06-01T00:00:00Z: 1 error") })
        #expect(lines.contains("        /etc/bk.policy:4:5: error: unknown field"))
        #expect(lines.contains("nft     table bridge bridgekeeper"))
        #expect(
            lines.contains { $0.hasPrefix("port ") && $0.contains("a (eth1, up)") && $0.contains("b (eth2, gone)") })
        let web = try #require(lines.first { $0.hasPrefix("web ") })
        #expect(web.split(separator: " ") == ["web", "7", "700", "5", "500"])
        let telnet = try #require(lines.first { $0.hasPrefix("no-telnet ") })
        #expect(telnet.split(separator: " ") == ["no-telnet", "3", "180", "-", "-"])
        #expect(lines.last == "held for delay: 2")
    }

    @Test func metricsMirrorTheReport() throws {
        let inputs = try Self.inputs()
        let report = StatusAssembler.report(inputs)
        let metrics = StatusAssembler.metrics(report, reloads: inputs.reloads, policyLoadedAt: 2_000_000_000)
        #expect(metrics.ports.map(\.up) == [true, false])
        #expect(metrics.rules.map(\.packets) == [3, 7])
        #expect(metrics.reloads == 4 && metrics.reloadFailures == 1)
        #expect(metrics.policyLoadedAt == 2.0)
        #expect(metrics.heldFrames == 2)
    }
}
