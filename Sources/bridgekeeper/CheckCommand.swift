import ArgumentParser
import Loader
import Mirror
import Platform
import Policy
import Replay

/// `bridgekeeper check`: parse, check, compile and test a policy without touching the network.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a policy file: syntax, names, values, test blocks; exit 0 when clean.",
        discussion: """
            Exit status: 0 clean (warnings allowed), 1 errors or failing tests, 2 warnings under --strict.
            Diagnostics read FILE:LINE:COL: error: MESSAGE, with the line and a caret.
            """
    )

    @Flag(help: "Treat warnings as failures (exit 2 when there are warnings and no errors).")
    var strict = false

    @Flag(help: "Print the diagnostics and test results as JSON on standard output.")
    var json = false

    @Flag(
        name: .customLong("print-nft"),
        help:
            "Print the nftables mirror of the policy as nft text (what run commits), with notes on what is not mirrored."
    )
    var printNft = false

    @Option(
        name: .customLong("port-a"),
        help: "Interface name of port a: what iifname/oifname are resolved against, and `iif a` in the nftables mirror."
    )
    var portA: String?

    @Option(
        name: .customLong("port-b"),
        help: "Interface name of port b: what iifname/oifname are resolved against, and `iif b` in the nftables mirror."
    )
    var portB: String?

    @Argument(help: "The policy file.")
    var file: String

    func validate() throws {
        if (portA == nil) != (portB == nil) {
            throw ValidationError("give both --port-a and --port-b (the bridge's two interfaces), or neither")
        }
    }

    func run() throws {
        let ports = MirrorPorts(a: portA ?? "port-a", b: portB ?? "port-b")
        let interfaces = portA.flatMap { a in portB.map { PortInterfaces(a: a, b: $0) } }
        var plan: MirrorPlan?
        let report = PolicyLoader.load(path: file, ports: interfaces) { policy in
            let mirror = MirrorPlanner.plan(policy, ports: ports)
            plan = mirror
            return mirror.notes.map(\.diagnostic)
        }
        let status = exitStatus(report)
        if printNft {
            for diagnostic in report.errors { printError(diagnostic.rendered) }
            if let plan, report.loaded != nil {
                let text = NftText.render(plan)
                print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
            }
            if status != 0 { throw ExitCode(status) }
            return
        }
        if json {
            print(CheckReportJSON.render(file: file, report: report, status: status))
        } else {
            for diagnostic in report.diagnostics { printError(diagnostic.rendered) }
            print(summary(report))
        }
        if status != 0 { throw ExitCode(status) }
    }

    private func exitStatus(_ report: LoadReport) -> Int32 {
        if !report.errors.isEmpty || report.loaded == nil { return 1 }
        if strict && !report.warnings.isEmpty { return 2 }
        return 0
    }

    private func summary(_ report: LoadReport) -> String {
        let errors = report.errors.count
        let warnings = report.warnings.count
        let failed = report.tests.filter { !$0.passed }.count
        var parts: [String] = []
        if let loaded = report.loaded {
            parts.append("\(loaded.compiled.ruleCount) rule\(loaded.compiled.ruleCount == 1 ? "" : "s")")
        }
        parts.append(
            "\(report.tests.count - failed) of \(report.tests.count) test\(report.tests.count == 1 ? "" : "s") passed")
        if errors > 0 { parts.append("\(errors) error\(errors == 1 ? "" : "s")") }
        if warnings > 0 { parts.append("\(warnings) warning\(warnings == 1 ? "" : "s")") }
        let verdict = report.loaded == nil ? "FAILED" : "ok"
        return "\(file): \(verdict): " + parts.joined(separator: ", ")
    }
}

/// `check --json`.
enum CheckReportJSON {
    static func render(file: String, report: LoadReport, status: Int32) -> String {
        var json = JSONWriter()
        json.beginObject()
        json.field("file", file)
        json.field("ok", report.loaded != nil)
        json.field("status", status)
        json.field("rules", report.loaded?.compiled.ruleCount ?? 0)
        json.field("sha256", report.loaded?.sha256)
        json.field("errors", report.errors.count)
        json.field("warnings", report.warnings.count)
        json.key("tests")
        json.beginArray()
        for test in report.tests {
            json.beginObject()
            json.field("name", test.name)
            json.field("passed", test.passed)
            json.endObject()
        }
        json.endArray()
        json.key("diagnostics")
        json.beginArray()
        for diagnostic in report.diagnostics {
            json.beginObject()
            json.field("severity", diagnostic.severity.rawValue)
            json.field("code", diagnostic.code.rawValue)
            json.field("message", diagnostic.message)
            if let location = diagnostic.location {
                json.field("file", location.file)
                json.field("line", location.line)
                json.field("column", location.column)
            }
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return json.text
    }
}
