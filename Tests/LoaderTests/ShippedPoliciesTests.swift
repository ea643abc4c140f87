import Foundation
import Loader
import Policy
import Testing

/// Every policy in `policies/` and every example in the language reference must check clean,
/// including its `test` blocks run against the compiled program.
@Suite struct ShippedPoliciesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var policyFiles: [String] {
        let folder = root.appendingPathComponent("policies").path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".policy") }.sorted().map { folder + "/" + $0 }
    }

    @Test func theShippedPoliciesExist() {
        let names = Self.policyFiles.map { URL(fileURLWithPath: $0).lastPathComponent }
        for required in ["default.policy", "edge.policy", "reflect.policy", "demo.policy"] {
            #expect(names.contains(required), "policies/\(required) is missing")
        }
    }

    @Test(arguments: ShippedPoliciesTests.policyFiles)
    func shippedPolicyChecksCleanAndPassesItsTests(path: String) {
        let report = PolicyLoader.load(path: path)
        #expect(report.diagnostics.isEmpty, "\(report.diagnostics.map(\.rendered).joined(separator: "\n"))")
        #expect(report.loaded != nil)
        #expect(!report.tests.isEmpty, "every shipped policy carries test blocks")
        #expect(report.tests.allSatisfy { $0.passed })
    }

    /// The ```policy blocks of the README and docs/policy.md, each a whole file, with the ports
    /// a ```policy ports=A,B block is checked for.
    static var documentedExamples: [(text: String, ports: PortInterfaces?)] {
        ["README.md", "docs/policy.md"].flatMap { policyBlocks(in: root.appendingPathComponent($0).path) }
    }

    static func policyBlocks(in path: String) -> [(text: String, ports: PortInterfaces?)] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        var blocks: [(text: String, ports: PortInterfaces?)] = []
        var current: [Substring]?
        var ports: PortInterfaces?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line.hasPrefix("```policy") {
                current = []
                let names = line.split(separator: "=").dropFirst().first?.split(separator: ",") ?? []
                ports = names.count == 2 ? PortInterfaces(a: String(names[0]), b: String(names[1])) : nil
            } else if current != nil, line.hasPrefix("```") {
                blocks.append((current!.joined(separator: "\n") + "\n", ports))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    @Test func theReadmeAndTheReferenceHaveExamples() {
        #expect(Self.policyBlocks(in: Self.root.appendingPathComponent("README.md").path).count >= 1)
        #expect(Self.policyBlocks(in: Self.root.appendingPathComponent("docs/policy.md").path).count >= 5)
    }

    @Test func everyDocumentedExampleLoadsAndPassesItsTests() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bk-doc-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (number, example) in Self.documentedExamples.enumerated() {
            let report = PolicyLoader.load(
                text: example.text, path: folder.appendingPathComponent("example\(number).policy").path,
                ports: example.ports)
            #expect(
                report.errors.isEmpty, "example \(number): \(report.errors.map(\.rendered).joined(separator: "\n"))")
            #expect(report.tests.allSatisfy { $0.passed }, "example \(number)")
        }
    }
}
