/// The `status` table for people: readable at a glance.
public enum StatusText {
    public static func render(_ s: StatusReport) -> String {
        var out: [String] = []
        let uptime = formatDuration(s.uptimeSeconds)
        out.append(
            "bridgekeeper \(s.version), pid \(s.pid), up \(uptime), \(s.workers) worker\(s.workers == 1 ? "" : "s"), on failure: \(s.onFailure)"
        )
        out.append(
            "policy  \(s.policy.file)  generation \(s.policy.generation)  sha256 \(s.policy.sha256.prefix(12))  loaded \(s.policy.loadedAt)  \(s.policy.rules) rules"
        )
        if let reload = s.lastReload {
            out.append(
                "reload  \(reload.ok ? "ok" : "FAILED") at \(reload.at): \(reload.message)  (\(s.reloads) total)")
            for error in reload.errors { out.append("        " + error) }
        }
        if let mirror = s.mirrorTable { out.append("nft     table bridge \(mirror)") }
        if let flows = s.flows {
            out.append(
                "flows   \(flows.inUse) of \(flows.capacity)  created \(flows.created)  expired \(flows.expired)  "
                    + "closed \(flows.closed)  evicted \(flows.evicted)  refused (full) \(flows.refusedFull)  "
                    + "invalid \(flows.invalid)")
        }
        if let host = s.hostPort { out.append("host    \(host)") }
        if let propagation = s.linkPropagation {
            let held = zip(["a", "b"], propagation.heldDown).filter(\.1).map { "port \($0.0) held down" }
            out.append(
                "links   propagated: a \(propagation.propagations[0]) times, b \(propagation.propagations[1]) times"
                    + (held.isEmpty ? "" : "; " + held.joined(separator: ", ")))
        }
        out.append("")
        let names = PortCounter.allCases.map(\.name)
        var table: [[String]] = [["port"] + s.ports.map { "\($0.name) (\($0.interface), \($0.link))" }]
        for name in names {
            table.append([name] + s.ports.map { String($0.counters[name] ?? 0) })
        }
        out += align(table, rightFrom: 1)
        if s.perWorker.count > 1 {
            out.append("")
            var byWorker: [[String]] = [["worker/port"] + names]
            for worker in s.perWorker {
                for (port, counters) in worker.ports.enumerated() {
                    byWorker.append(
                        ["\(worker.worker)/\(port == 0 ? "a" : "b")"] + names.map { String(counters[$0] ?? 0) })
                }
            }
            out += align(byWorker, rightFrom: 1)
        }
        out.append("")
        let kernel = s.rules.contains { $0.kernelPackets != nil }
        var rules: [[String]] = [["rule", "packets", "bytes"] + (kernel ? ["nft packets", "nft bytes"] : [])]
        for rule in s.rules {
            var row = [rule.name, String(rule.packets), String(rule.bytes)]
            if kernel {
                row += [rule.kernelPackets.map { String($0) } ?? "-", rule.kernelBytes.map { String($0) } ?? "-"]
            }
            rules.append(row)
        }
        var last = ["default (\(s.defaultVerdict))", String(s.defaultPackets), String(s.defaultBytes)]
        if kernel { last += ["-", "-"] }
        rules.append(last)
        out += align(rules, rightFrom: 1)
        let stateful = s.rules.filter { $0.answers != nil || $0.quotaBytes != nil || $0.meterEvictions != nil }
        if !stateful.isEmpty {
            out.append("")
            var table: [[String]] = [["rule", "answers", "suppressed", "unanswered", "quota used", "meter evictions"]]
            for rule in stateful {
                table.append([
                    rule.name, rule.answers.map { String($0) } ?? "-", rule.answersSuppressed.map { String($0) } ?? "-",
                    rule.unanswered.map { String($0) } ?? "-",
                    rule.quotaBytes.map { "\(rule.quotaConsumed ?? 0) of \($0)" } ?? "-",
                    rule.meterEvictions.map { String($0) } ?? "-",
                ])
            }
            out += align(table, rightFrom: 1)
        }
        if !s.dynamicSets.isEmpty {
            out.append("")
            var table: [[String]] = [["set", "elements", "size", "refused (full)", "inserted"]]
            for set in s.dynamicSets {
                table.append([
                    "@" + set.name, String(set.elements), String(set.capacity), String(set.refused),
                    String(set.inserted),
                ])
            }
            out += align(table, rightFrom: 1)
        }
        if s.held > 0 { out.append("\nheld for delay: \(s.held)") }
        return out.joined(separator: "\n")
    }

    /// Columns padded to their widest cell; columns from `rightFrom` on are right-aligned.
    static func align(_ rows: [[String]], rightFrom: Int) -> [String] {
        let columns = rows.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            row.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return i >= rightFrom ? pad + cell : cell + pad
            }.joined(separator: "  ")
        }
    }

    static func formatDuration(_ seconds: Double) -> String {
        let total = Int(seconds)
        if total < 60 { return "\(total)s" }
        if total < 3600 { return "\(total / 60)m\(total % 60)s" }
        if total < 86400 { return "\(total / 3600)h\(total % 3600 / 60)m" }
        return "\(total / 86400)d\(total % 86400 / 3600)h"
    }
}
