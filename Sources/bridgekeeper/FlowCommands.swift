import ArgumentParser
import Bridge
import Foundation

/// `bridgekeeper flows`: the running bridge's flow table.
struct FlowsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flows",
        abstract:
            "List the running bridge's flows: addresses, ports, VLAN, state, age, counters, the rule that let them in.")

    @Option(help: "The control socket of the running bridge.")
    var control: String = ControlListener.defaultPath

    @Flag(help: "Print the flows as JSON.")
    var json = false

    func run() throws {
        let text = try ControlReplies.request("flows", control: control, timeoutSeconds: 10)
        if json {
            print(text)
            return
        }
        let report = try ControlReplies.decode(FlowReport.self, text, from: control)
        print(report.text)
    }
}

/// `bridgekeeper reset-quota RULE`: start a rule's quota from zero again.
struct ResetQuotaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset-quota",
        abstract: "Start the quota of RULE in the running bridge from zero again (as `nft reset quotas`).")

    @Argument(help: "The rule whose quota starts again.")
    var rule: String

    @Option(help: "The control socket of the running bridge.")
    var control: String = ControlListener.defaultPath

    struct Reply: Decodable {
        var ok: Bool
        var rule: String
        var quotas: Int
    }

    func run() throws {
        let text = try ControlReplies.request("reset-quota \(rule)", control: control)
        let reply = try ControlReplies.decode(Reply.self, text, from: control)
        guard reply.ok else {
            printError("bridgekeeper: rule \"\(rule)\" has no quota in the running policy")
            throw ExitCode(1)
        }
        print("quota of \"\(reply.rule)\" reset (\(reply.quotas) quota\(reply.quotas == 1 ? "" : "s"))")
    }
}
