import ArgumentParser
import Foundation
import NftImport

/// `bridgekeeper import-nft`: an nft ruleset read into an equivalent policy.
struct ImportNftCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-nft",
        abstract: "Write a policy equivalent to an nftables ruleset's forward chain.",
        discussion: """
            Reads the JSON of `nft -j list ruleset` (a file, or - for standard input), or with --nft-file an \
            nft ruleset file, which nft itself loads into a scratch network namespace (root) and lists. \
            The chain imported is --table/--chain's, else the first filter chain hooked at forward in a \
            bridge table, else inet, else ip/ip6. Rules and chains the policy cannot say are left out with \
            a # comment saying why; each rule gets a test block where the policy's own evaluation confirms it.
            """
    )

    @Argument(help: "The JSON of `nft -j list ruleset`, or - for standard input.")
    var input: String?

    @Option(name: .customLong("nft-file"), help: "An nft ruleset file, loaded by nft in a scratch namespace.")
    var nftFile: String?

    @Option(
        name: .customLong("table"), parsing: .upToNextOption,
        help: ArgumentHelp(
            "The table of the chain: FAMILY NAME (as in `--table inet filter`).", valueName: "family name"))
    var table: [String] = []

    @Option(help: "The chain to import (default: the forward filter chain).")
    var chain: String?

    @Option(name: .customLong("port-a"), help: "Interface name of port a: iifname/oifname of it become iif a|b.")
    var portA: String?

    @Option(name: .customLong("port-b"), help: "Interface name of port b.")
    var portB: String?

    @Option(name: [.short, .long], help: "Write the policy here (default: standard output).")
    var output: String?

    @Flag(name: .customLong("no-tests"), help: "Write no test blocks.")
    var noTests = false

    func validate() throws {
        guard (input == nil) != (nftFile == nil) else {
            throw ValidationError("give either the JSON of `nft -j list ruleset` (or -) or --nft-file FILE")
        }
        guard table.isEmpty || table.count == 2 else { throw ValidationError("--table takes FAMILY NAME") }
        guard (portA == nil) == (portB == nil) else { throw ValidationError("--port-a and --port-b go together") }
    }

    func run() throws {
        let json: String
        if let nftFile {
            json = try ScratchNamespace.listRuleset(loading: nftFile)
        } else if input == "-" {
            json = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        } else {
            json = try readFile(input!)
        }
        let ports = portA.map { PortNames(a: $0, b: portB!) }
        let options = NftImporter.Options(
            family: table.first, table: table.last, chain: chain, ports: ports, tests: !noTests)
        let result: NftImporter.Result
        do {
            result = try NftImporter.importRuleset(json: json, options: options)
        } catch {
            printError("import-nft: \(nftFile ?? input!): \(error)")
            throw ExitCode(1)
        }
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: Data(result.policy.utf8)) else {
                printError("import-nft: cannot write \(output)")
                throw ExitCode(1)
            }
        } else {
            print(result.policy, terminator: "")
        }
        printError(summary(result))
    }

    private func readFile(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            printError("import-nft: cannot read \(path)")
            throw ExitCode(1)
        }
        return String(decoding: data, as: UTF8.self)
    }

    private func summary(_ result: NftImporter.Result) -> String {
        var lines = [
            "import-nft: chain \(result.chain.qualifiedName): \(result.leftOut.count) left out, "
                + "\(result.testsKept) test\(result.testsKept == 1 ? "" : "s") kept"
        ]
        if !result.needs.isEmpty {
            lines.append(
                "import-nft: the policy uses \(result.needs.joined(separator: ", ")), which this Bridgekeeper may not check yet"
            )
        }
        return lines.joined(separator: "\n")
    }
}

/// nft reads an nft ruleset file in a namespace of its own, so its parser does the reading and
/// the host's ruleset is never touched.
enum ScratchNamespace {
    /// `nft -j list ruleset` after `nft -f path`, in `bk-import-<pid>`, removed however it ends.
    static func listRuleset(loading path: String) throws -> String {
        guard FileManager.default.isReadableFile(atPath: path) else {
            printError("import-nft: cannot read \(path)")
            throw ExitCode(1)
        }
        let name = "bk-import-\(getpid())"
        let created = run(["ip", "netns", "add", name])
        guard created.status == 0 else {
            printError(
                "import-nft: cannot create a network namespace for nft to read \(path) (\(created.message)); run as root, or pass the JSON of `nft -j list ruleset` instead"
            )
            throw ExitCode(1)
        }
        defer { _ = run(["ip", "netns", "delete", name]) }
        let loaded = run(["ip", "netns", "exec", name, "nft", "-f", path])
        guard loaded.status == 0 else {
            printError("import-nft: nft could not load \(path):\n\(loaded.message)")
            throw ExitCode(1)
        }
        let listed = run(["ip", "netns", "exec", name, "nft", "-j", "list", "ruleset"])
        guard listed.status == 0 else {
            printError("import-nft: nft -j list ruleset failed: \(listed.message)")
            throw ExitCode(1)
        }
        return listed.output
    }

    private static func run(_ arguments: [String]) -> (status: Int32, output: String, message: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch {
            return (127, "", "\(arguments[0]): \(error.localizedDescription)")
        }
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let message = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var text = String(decoding: message, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if process.terminationStatus == 127
            || text.contains("No such file or directory") && text.contains("nft") && text.hasPrefix("exec")
        {
            text = "nft is not installed (apt-get install nftables)"
        }
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), text)
    }
}
