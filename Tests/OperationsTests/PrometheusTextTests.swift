import Testing

@testable import Operations

@Suite("Prometheus text")
struct PrometheusTextTests {
    static let snapshot = MetricsSnapshot(
        ports: [
            .init(
                name: "a", interface: "eth1", up: true,
                counters: [("rx_frames", 1000), ("rx_bytes", 64_000), ("ring_drops", 3), ("send_errors", 1)]),
            .init(
                name: "b", interface: "eth2", up: false,
                counters: [("rx_frames", 7), ("rx_bytes", 448), ("ring_drops", 0), ("send_errors", 0)]),
        ],
        rules: [
            .init(name: "drop-blocklist", packets: 42, bytes: 2688, kernelPackets: 40, kernelBytes: 2560),
            .init(name: "voip-mark", packets: 5, bytes: 900),
        ],
        defaultVerdict: "forward", defaultPackets: 953, defaultBytes: 60_860, reloads: 4, reloadFailures: 1,
        lastReload: .init(ok: false, timestamp: 1_767_225_600.25), generation: 3, policyLoadedAt: 1_767_225_000,
        uptimeSeconds: 3600.5, heldFrames: 2, version: "0.1.0")

    @Test("every number of the snapshot comes out under its name, with HELP and TYPE")
    func rendersSnapshot() throws {
        let text = PrometheusText.render(Self.snapshot)
        let exposition = try Exposition(parsing: text)
        #expect(exposition.value("bridgekeeper_port_rx_frames_total", ["port": "a", "interface": "eth1"]) == 1000)
        #expect(exposition.value("bridgekeeper_port_rx_bytes_total", ["port": "b", "interface": "eth2"]) == 448)
        #expect(exposition.value("bridgekeeper_port_ring_drops_total", ["port": "a", "interface": "eth1"]) == 3)
        #expect(exposition.value("bridgekeeper_port_send_errors_total", ["port": "a", "interface": "eth1"]) == 1)
        #expect(exposition.value("bridgekeeper_port_up", ["port": "a", "interface": "eth1"]) == 1)
        #expect(exposition.value("bridgekeeper_port_up", ["port": "b", "interface": "eth2"]) == 0)
        #expect(exposition.value("bridgekeeper_rule_packets_total", ["rule": "drop-blocklist"]) == 42)
        #expect(exposition.value("bridgekeeper_rule_bytes_total", ["rule": "voip-mark"]) == 900)
        #expect(exposition.value("bridgekeeper_rule_kernel_packets_total", ["rule": "drop-blocklist"]) == 40)
        #expect(exposition.value("bridgekeeper_rule_kernel_bytes_total", ["rule": "drop-blocklist"]) == 2560)
        #expect(exposition.value("bridgekeeper_rule_kernel_packets_total", ["rule": "voip-mark"]) == nil)
        #expect(exposition.value("bridgekeeper_default_packets_total", ["verdict": "forward"]) == 953)
        #expect(exposition.value("bridgekeeper_default_bytes_total", ["verdict": "forward"]) == 60_860)
        #expect(exposition.value("bridgekeeper_reloads_total") == 4)
        #expect(exposition.value("bridgekeeper_reload_failures_total") == 1)
        #expect(exposition.value("bridgekeeper_last_reload_success") == 0)
        #expect(exposition.value("bridgekeeper_last_reload_timestamp_seconds") == 1_767_225_600.25)
        #expect(exposition.value("bridgekeeper_policy_generation") == 3)
        #expect(exposition.value("bridgekeeper_policy_rules") == 2)
        #expect(exposition.value("bridgekeeper_policy_loaded_timestamp_seconds") == 1_767_225_000)
        #expect(exposition.value("bridgekeeper_uptime_seconds") == 3600.5)
        #expect(exposition.value("bridgekeeper_held_frames") == 2)
        #expect(exposition.value("bridgekeeper_build_info", ["version": "0.1.0"]) == 1)
        for sample in exposition.samples {
            #expect(sample.name.hasPrefix("bridgekeeper_"))
            #expect(exposition.helps[sample.name] != nil)
            if exposition.types[sample.name] == "counter" { #expect(sample.name.hasSuffix("_total")) }
        }
        #expect(exposition.types["bridgekeeper_port_rx_frames_total"] == "counter")
        #expect(exposition.types["bridgekeeper_policy_generation"] == "gauge")
    }

    @Test("label values with quotes, backslashes and line feeds survive the round trip")
    func escapesLabels() throws {
        let awkward = "we\"ird\\name\nline2"
        var snapshot = MetricsSnapshot(rules: [.init(name: awkward, packets: 9, bytes: 99)], version: "1\"2")
        snapshot.ports = [.init(name: "a", interface: "e\\th", counters: [("rx-frames odd", 5)])]
        let text = PrometheusText.render(snapshot)
        #expect(text.contains(#"rule="we\"ird\\name\nline2""#))
        let exposition = try Exposition(parsing: text)
        #expect(exposition.value("bridgekeeper_rule_packets_total", ["rule": awkward]) == 9)
        #expect(exposition.value("bridgekeeper_build_info", ["version": "1\"2"]) == 1)
        #expect(exposition.value("bridgekeeper_port_rx_frames_odd_total", ["port": "a", "interface": "e\\th"]) == 5)
    }

    @Test("optional families are left out when the snapshot has nothing for them")
    func leavesOutUnknowns() throws {
        let exposition = try Exposition(parsing: PrometheusText.render(MetricsSnapshot()))
        #expect(exposition.types["bridgekeeper_last_reload_success"] == nil)
        #expect(exposition.types["bridgekeeper_rule_packets_total"] == nil)
        #expect(exposition.types["bridgekeeper_port_up"] == nil)
        #expect(exposition.value("bridgekeeper_reloads_total") == 0)
        #expect(exposition.value("bridgekeeper_default_packets_total", ["verdict": "forward"]) == 0)
    }

    @Test("floats are written the way Prometheus reads them")
    func formatsFloats() {
        #expect(ExpositionWriter.format(.infinity) == "+Inf")
        #expect(ExpositionWriter.format(-.infinity) == "-Inf")
        #expect(ExpositionWriter.format(.nan) == "NaN")
        #expect(ExpositionWriter.format(3) == "3")
        #expect(ExpositionWriter.format(0.5) == "0.5")
        #expect(Double(ExpositionWriter.format(1.5e300)) == 1.5e300)
    }
}
