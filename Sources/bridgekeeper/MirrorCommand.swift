import ArgumentParser
import Loader
import Mirror
import Policy

/// `bridgekeeper mirror`: commit a policy's nftables mirror into the kernel and exit.
struct MirrorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mirror",
        abstract: "Check a policy and commit its nftables mirror (table bridge bridgekeeper) over netlink, then exit.",
        discussion: """
            This is what `run` does on start and on every reload, without the userspace bridge: the
            kernel (a Linux bridge enslaving the two ports) then enforces the rules nftables can
            express. --remove deletes the table. Rules that cannot be mirrored are reported.
            """
    )

    @Option(help: "The policy file.")
    var policy: String?

    @Option(name: .customLong("port-a"), help: "Interface of port a (for `iif a`).")
    var portA: String

    @Option(name: .customLong("port-b"), help: "Interface of port b (for `iif b`).")
    var portB: String

    @Flag(help: "Remove the mirror table instead.")
    var remove = false

    func validate() throws {
        if !remove && policy == nil { throw ValidationError("--policy FILE is required (or --remove)") }
    }

    func run() throws {
        let ports = MirrorPorts(a: portA, b: portB)
        do {
            let connection = try NftablesConnection()
            if remove {
                try connection.removeTable(named: "bridgekeeper")
                print("removed table bridge bridgekeeper")
                return
            }
            var plan: MirrorPlan?
            let report = PolicyLoader.load(path: policy ?? "", ports: ports) { checked in
                let mirror = MirrorPlanner.plan(checked, ports: ports)
                plan = mirror
                return mirror.notes.map(\.diagnostic)
            }
            for diagnostic in report.diagnostics { printError(diagnostic.rendered) }
            guard report.loaded != nil, let plan else {
                printError("\(policy ?? ""): policy has errors; the kernel was not touched")
                throw ExitCode(1)
            }
            try connection.commit(plan)
            print(
                "committed table bridge bridgekeeper: \(plan.mirroredRuleNames.count) of \(report.loaded!.compiled.ruleCount) rules"
            )
        } catch let error as MirrorError {
            printError("bridgekeeper: nftables: \(error)")
            throw ExitCode(1)
        }
    }
}
