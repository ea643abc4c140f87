import ArgumentParser
import Bridge
import Foundation

/// `bridgekeeper reload`: re-read the running bridge's policy and wait for the result.
struct ReloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Make the running bridge re-read its policy; exit non-zero, saying why, when it fails.")

    @Option(help: "The control socket of the running bridge.")
    var control: String = ControlListener.defaultPath

    /// A 10,000-rule policy's reload takes seconds of kernel time to commit its nftables mirror,
    /// and longer on a CPU busy forwarding; a minute proved too short under load.
    @Option(help: "Seconds to wait for the reload's result.")
    var timeout: Int = 300

    func validate() throws {
        guard timeout >= 1 else { throw ValidationError("--timeout must be at least 1 second") }
    }

    func run() throws {
        let text: String
        do {
            text = try ControlClient.request("reload", path: control, timeoutSeconds: timeout)
        } catch ControlError.noReply {
            printError(
                "bridgekeeper: no reload result from \(control) within \(timeout) s; the reload may still be "
                    + "running (see `bridgekeeper status`), or pass a longer --timeout")
            throw ExitCode(1)
        } catch {
            printError("bridgekeeper: \(error)")
            throw ExitCode(1)
        }
        let reply = try ControlReplies.decode(ReloadReply.self, text, from: control)
        if reply.ok {
            print("reloaded: generation \(reply.generation): \(reply.message)")
        } else {
            for error in reply.errors { printError(error) }
            printError("reload failed: \(reply.message)")
            throw ExitCode(1)
        }
    }
}

/// `bridgekeeper status`: what the running bridge is doing.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the running bridge's policy, counters per rule and per port, and its last reload.")

    @Option(help: "The control socket of the running bridge.")
    var control: String = ControlListener.defaultPath

    @Flag(help: "Print the status as JSON.")
    var json = false

    func run() throws {
        let text = try ControlReplies.request("status", control: control)
        if json {
            print(text)
            return
        }
        let report = try ControlReplies.decode(StatusReport.self, text, from: control)
        print(StatusText.render(report))
    }
}
