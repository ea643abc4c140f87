import Bridge
import Foundation
import TestSupport

/// What the running bridge says about its flows, answers, quotas and limits, read back the way
/// an operator reads it: `bridgekeeper flows --json` and `bridgekeeper status --json`.
extension BridgeTestbed {
    /// The running bridge's flow table, as `bridgekeeper flows --json` prints it.
    func flows() throws -> FlowReport {
        let text = try bridgekeeper("flows", "--json", "--control", controlPath)
        return try JSONDecoder().decode(FlowReport.self, from: Data(text.utf8))
    }

    /// The status entry of rule `name`; throws when the running policy has no such rule.
    func rule(_ name: String) throws -> StatusReport.Rule {
        guard let rule = try status().rules.first(where: { $0.name == name }) else {
            throw TestFailure("the running policy has no rule \"\(name)\"")
        }
        return rule
    }

    /// Waits until `condition` holds for the status (threads publish some figures, such as the
    /// flow table's, about once a second) and returns the last status read.
    @discardableResult
    func waitForStatus(timeout: Double = 5, _ condition: (StatusReport) -> Bool) throws -> StatusReport {
        var last = try status()
        _ = try waitUntil(timeout: timeout) {
            last = try status()
            return condition(last)
        }
        return last
    }

    /// Waits until rule `name` has counted at least `packets` frames (so every frame sent before
    /// has been decided) and returns its entry.
    @discardableResult
    func waitForRule(_ name: String, packets: UInt64, timeout: Double = 5) throws -> StatusReport.Rule {
        let status = try waitForStatus(timeout: timeout) { status in
            (status.rules.first { $0.name == name }?.packets ?? 0) >= packets
        }
        guard let rule = status.rules.first(where: { $0.name == name }) else {
            throw TestFailure("the running policy has no rule \"\(name)\"")
        }
        return rule
    }
}

extension FlowReport {
    /// The flows of protocol `proto` from `source` to `destination` port `port` (any source port).
    func flows(_ proto: String, from source: String, to destination: String, port: Int) -> [Entry] {
        flows.filter {
            $0.proto == proto && $0.source == source && $0.destination == destination && $0.destinationPort == port
        }
    }
}
