/// Renders a ``MetricsSnapshot`` as Prometheus text (exposition format 0.0.4).
///
/// Metric names start with `bridgekeeper_`; counters end in `_total`. Port counters become one
/// family each (`rx_frames` → `bridgekeeper_port_rx_frames_total{port="a",interface="eth1"}`),
/// rules are labelled by rule name.
public enum PrometheusText {
    /// The `Content-Type` of the exposition.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The exposition text for `snapshot`.
    public static func render(_ snapshot: MetricsSnapshot) -> String {
        var writer = ExpositionWriter(capacity: 2048 + snapshot.rules.count * 200 + snapshot.ports.count * 2048)
        renderProcess(snapshot, into: &writer)
        renderPolicy(snapshot, into: &writer)
        renderPorts(snapshot.ports, into: &writer)
        renderRules(snapshot, into: &writer)
        renderStatefulRules(snapshot.rules, into: &writer)
        if let flows = snapshot.flows { renderFlows(flows, into: &writer) }
        if !snapshot.dynamicSets.isEmpty { renderDynamicSets(snapshot.dynamicSets, into: &writer) }
        if let propagations = snapshot.linkPropagations, propagations.count == 2 {
            writer.family(
                "bridgekeeper_link_propagations_total", .counter,
                help: "Times --link-propagate took the port down because the other port lost its link.")
            for (index, name) in ["a", "b"].enumerated() {
                writer.sample("bridgekeeper_link_propagations_total", labels: ["port": name], propagations[index])
            }
        }
        return writer.text
    }

    private static func renderFlows(_ flows: MetricsSnapshot.Flows, into writer: inout ExpositionWriter) {
        writer.family("bridgekeeper_flows", .gauge, help: "Flows in the flow table now.")
        writer.sample("bridgekeeper_flows", flows.inUse)
        writer.family("bridgekeeper_flows_capacity", .gauge, help: "Flows the flow table can hold.")
        writer.sample("bridgekeeper_flows_capacity", flows.capacity)
        let counters: [(String, UInt64, String)] = [
            ("created", flows.created, "Flows created."),
            ("expired", flows.expired, "Flows that timed out."),
            ("closed", flows.closed, "TCP flows ended by the connection's close."),
            ("evicted", flows.evicted, "Unassured flows evicted early to make room."),
            ("refused_full", flows.refusedFull, "New flows refused because the table was full."),
            ("invalid", flows.invalid, "Frames classified ct state invalid."),
        ]
        for (name, value, help) in counters {
            writer.family("bridgekeeper_flows_\(name)_total", .counter, help: help)
            writer.sample("bridgekeeper_flows_\(name)_total", value)
        }
    }

    private static func renderDynamicSets(_ sets: [MetricsSnapshot.DynamicSet], into writer: inout ExpositionWriter) {
        let families: [(String, ExpositionWriter.Kind, String, KeyPath<MetricsSnapshot.DynamicSet, UInt64>)] = [
            ("bridgekeeper_set_elements", .gauge, "Elements a dynamic set holds now (not expired).", \.elements),
            ("bridgekeeper_set_capacity", .gauge, "Elements a dynamic set can hold (its size).", \.capacity),
            (
                "bridgekeeper_set_refused_total", .counter, "Inserts a dynamic set refused because it was full.",
                \.refused
            ),
        ]
        for (name, kind, help, value) in families {
            writer.family(name, kind, help: help)
            for set in sets { writer.sample(name, labels: ["set": set.name], set[keyPath: value]) }
        }
    }

    private static func renderStatefulRules(_ rules: [MetricsSnapshot.Rule], into writer: inout ExpositionWriter) {
        let families: [(String, ExpositionWriter.Kind, String, KeyPath<MetricsSnapshot.Rule, UInt64?>)] = [
            ("bridgekeeper_rule_answers_total", .counter, "Answers a reject rule sent.", \.answers),
            (
                "bridgekeeper_rule_answers_suppressed_total", .counter, "Answers the answer rate held back.",
                \.answersSuppressed
            ),
            (
                "bridgekeeper_rule_unanswered_total", .counter,
                "Frames a reject rule matched that are never answered (ICMP errors, broadcasts, fragments).",
                \.unanswered
            ),
            ("bridgekeeper_rule_quota_used_bytes", .gauge, "Bytes a quota rule counted so far.", \.quotaConsumed),
            ("bridgekeeper_rule_quota_bytes", .gauge, "A quota rule's quota.", \.quotaBytes),
            (
                "bridgekeeper_rule_meter_evictions_total", .counter,
                "Keys a meter evicted (its least recently used) because it was full.", \.meterEvictions
            ),
        ]
        for (name, kind, help, path) in families {
            let having = rules.filter { $0[keyPath: path] != nil }
            guard !having.isEmpty else { continue }
            writer.family(name, kind, help: help)
            for rule in having { writer.sample(name, labels: ["rule": rule.name], rule[keyPath: path] ?? 0) }
        }
    }

    private static func renderProcess(_ snapshot: MetricsSnapshot, into writer: inout ExpositionWriter) {
        writer.family("bridgekeeper_build_info", .gauge, help: "Always 1; the version is a label.")
        writer.sample("bridgekeeper_build_info", labels: ["version": snapshot.version], 1 as UInt64)
        writer.family("bridgekeeper_uptime_seconds", .gauge, help: "Seconds since the bridge started.")
        writer.sample("bridgekeeper_uptime_seconds", snapshot.uptimeSeconds)
        writer.family("bridgekeeper_held_frames", .gauge, help: "Frames held for a delay right now.")
        writer.sample("bridgekeeper_held_frames", UInt64(max(0, snapshot.heldFrames)))
    }

    private static func renderPolicy(_ snapshot: MetricsSnapshot, into writer: inout ExpositionWriter) {
        writer.family(
            "bridgekeeper_policy_generation", .gauge,
            help: "Generation of the policy in force: 1 at start, one more per successful reload.")
        writer.sample("bridgekeeper_policy_generation", snapshot.generation)
        writer.family("bridgekeeper_policy_rules", .gauge, help: "Rules in the policy in force.")
        writer.sample("bridgekeeper_policy_rules", UInt64(snapshot.rules.count))
        if let loadedAt = snapshot.policyLoadedAt {
            writer.family(
                "bridgekeeper_policy_loaded_timestamp_seconds", .gauge,
                help: "When the policy in force was loaded, in seconds since the Unix epoch.")
            writer.sample("bridgekeeper_policy_loaded_timestamp_seconds", loadedAt)
        }
        writer.family("bridgekeeper_reloads_total", .counter, help: "Reload attempts (SIGHUP or bridgekeeper reload).")
        writer.sample("bridgekeeper_reloads_total", snapshot.reloads)
        writer.family(
            "bridgekeeper_reload_failures_total", .counter,
            help: "Reload attempts that failed; the policy in force stayed.")
        writer.sample("bridgekeeper_reload_failures_total", snapshot.reloadFailures)
        if let last = snapshot.lastReload {
            writer.family(
                "bridgekeeper_last_reload_success", .gauge, help: "1 when the last reload attempt worked, else 0.")
            writer.sample("bridgekeeper_last_reload_success", last.ok ? 1 as UInt64 : 0)
            writer.family(
                "bridgekeeper_last_reload_timestamp_seconds", .gauge,
                help: "When the last reload attempt ended, in seconds since the Unix epoch.")
            writer.sample("bridgekeeper_last_reload_timestamp_seconds", last.timestamp)
        }
    }

    private static func renderPorts(_ ports: [MetricsSnapshot.Port], into writer: inout ExpositionWriter) {
        if ports.contains(where: { $0.up != nil }) {
            writer.family("bridgekeeper_port_up", .gauge, help: "1 when the port's link is up, else 0.")
            for port in ports {
                guard let up = port.up else { continue }
                writer.sample(
                    "bridgekeeper_port_up", labels: ["port": port.name, "interface": port.interface],
                    up ? 1 as UInt64 : 0)
            }
        }
        var names: [String] = []
        for port in ports {
            for counter in port.counters where !names.contains(counter.name) { names.append(counter.name) }
        }
        for name in names {
            let metric = "bridgekeeper_port_\(ExpositionWriter.sanitize(name))_total"
            writer.family(metric, .counter, help: PortCounterHelp.text(for: name))
            for port in ports {
                guard let counter = port.counters.first(where: { $0.name == name }) else { continue }
                writer.sample(metric, labels: ["port": port.name, "interface": port.interface], counter.value)
            }
        }
    }

    private static func renderRules(_ snapshot: MetricsSnapshot, into writer: inout ExpositionWriter) {
        let rules = snapshot.rules
        if !rules.isEmpty {
            writer.family("bridgekeeper_rule_packets_total", .counter, help: "Frames the rule matched.")
            for rule in rules {
                writer.sample("bridgekeeper_rule_packets_total", labels: ["rule": rule.name], rule.packets)
            }
            writer.family("bridgekeeper_rule_bytes_total", .counter, help: "Bytes of the frames the rule matched.")
            for rule in rules {
                writer.sample("bridgekeeper_rule_bytes_total", labels: ["rule": rule.name], rule.bytes)
            }
        }
        let mirrored = rules.filter { $0.kernelPackets != nil || $0.kernelBytes != nil }
        if !mirrored.isEmpty {
            writer.family(
                "bridgekeeper_rule_kernel_packets_total", .counter,
                help: "Packets the kernel's nftables mirror of the rule counted.")
            for rule in mirrored {
                guard let packets = rule.kernelPackets else { continue }
                writer.sample("bridgekeeper_rule_kernel_packets_total", labels: ["rule": rule.name], packets)
            }
            writer.family(
                "bridgekeeper_rule_kernel_bytes_total", .counter,
                help: "Bytes the kernel's nftables mirror of the rule counted.")
            for rule in mirrored {
                guard let bytes = rule.kernelBytes else { continue }
                writer.sample("bridgekeeper_rule_kernel_bytes_total", labels: ["rule": rule.name], bytes)
            }
        }
        writer.family("bridgekeeper_default_packets_total", .counter, help: "Frames no rule matched.")
        writer.sample(
            "bridgekeeper_default_packets_total", labels: ["verdict": snapshot.defaultVerdict], snapshot.defaultPackets)
        writer.family("bridgekeeper_default_bytes_total", .counter, help: "Bytes of the frames no rule matched.")
        writer.sample(
            "bridgekeeper_default_bytes_total", labels: ["verdict": snapshot.defaultVerdict], snapshot.defaultBytes)
    }
}
