import ArgumentParser

/// The `bridgekeeper` command line.
@main
struct Bridgekeeper: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bridgekeeper",
        abstract: "An inline bridge firewall: two ports, a policy, and the kernel's nftables as a witness.",
        discussion: """
            Check a policy before it goes inline (check), try it on a capture (replay), then run it
            between two interfaces (run) and change it live (reload, SIGHUP).
            """,
        version: "0.1.0",
        subcommands: [
            CheckCommand.self, ReplayCommand.self, RunCommand.self, ReloadCommand.self, StatusCommand.self,
            FlowsCommand.self, ResetQuotaCommand.self, SetListCommand.self, MirrorCommand.self,
            InjectCommand.self, PktgenCommand.self, ImportNftCommand.self,
        ]
    )
}
