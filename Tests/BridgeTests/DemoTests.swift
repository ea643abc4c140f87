import Foundation
import TestSupport
import Testing

/// `make demo` is the README's first command: it must work, show what the policy did, and leave
/// nothing behind (no namespace, no bridge process).
@Suite(.serialized) struct DemoTests {
    @Test func theDemoRunsEndToEndAndLeavesNothingBehind() throws {
        let binary = try BridgekeeperBinary.path
        // Output to a file, not a pipe (a process left behind would hold the pipe open), and a
        // time limit (a demo that cannot clean up fails the test instead of hanging it).
        let log = "/tmp/bk-demo-test-\(getpid()).log"
        defer { unlink(log) }
        let run = Shell.result([
            "-C", BuiltProduct.packageRoot, "BIN=\(binary)", "timeout", "300", "bash", "-c",
            "deploy/demo.sh >\(log) 2>&1",
        ])
        let output = try String(contentsOfFile: log, encoding: .utf8)
        #expect(run.status == 0, "\(run.errors)\n\(output.suffix(3000))")
        #expect(output.contains("demo: done"))
        // The status table counted each of the demo policy's rules at work.
        for rule in ["no-telnet", "slow-ping", "mark-voice"] {
            let line = output.split(separator: "\n").first { $0.hasPrefix(rule + " ") }
            let packets = line.flatMap { $0.split(separator: " ").dropFirst().first }.flatMap { Int($0) }
            #expect((packets ?? 0) > 0, "rule \(rule) in status: \(line.map(String.init) ?? "missing")")
        }
        #expect(!Shell.result(["ip", "netns", "list"]).output.contains("bkdemo-"))
        let leftover = Shell.result(["pgrep", "-f", "bkdemo"])
        // pgrep: 0 found some, 1 found none; anything else is pgrep failing (procps missing?).
        #expect(
            leftover.status == 1,
            "processes left behind, or pgrep (procps) failed: \(leftover.output)\(leftover.errors)")
    }
}
