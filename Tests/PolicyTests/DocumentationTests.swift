import Foundation
import Policy
import Testing

/// Checks docs/policy.md: every ```policy block checks without errors, and every example of
/// diagnostics shows exactly what the checker prints for the file beside it.
@Suite("docs/policy.md")
struct DocumentationTests {
    struct Block {
        var info: String
        var text: String
        var line: Int
    }

    static func documentPath(filePath: String = #filePath) -> String {
        // Tests/PolicyTests/DocumentationTests.swift -> the package root.
        var url = URL(fileURLWithPath: filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("docs/policy.md").path
    }

    static func blocks() throws -> [Block] {
        let document = try String(contentsOfFile: documentPath(), encoding: .utf8)
        var blocks: [Block] = []
        var current: Block?
        for (index, line) in document.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.hasPrefix("```") {
                if let block = current {
                    blocks.append(block)
                    current = nil
                } else {
                    current = Block(info: String(line.dropFirst(3)), text: "", line: index + 1)
                }
            } else if current != nil {
                current!.text += line + "\n"
            }
        }
        return blocks
    }

    @Test func everyPolicyBlockChecks() throws {
        // ```policy ports=A,B: checked as for a bridge whose ports are interfaces A and B.
        let blocks = try Self.blocks().filter { $0.info == "policy" || $0.info.hasPrefix("policy ports=") }
        #expect(blocks.count >= 10)
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        for block in blocks {
            let names =
                block.info.hasPrefix("policy ports=")
                ? block.info.dropFirst("policy ports=".count).split(separator: ",").map(String.init) : []
            let ports = names.count == 2 ? PortInterfaces(a: names[0], b: names[1]) : nil
            #expect(block.info == "policy" || ports != nil, "docs/policy.md block at line \(block.line): ports=A,B")
            let result = PolicyReader.parse(text: block.text, path: folder.path + "/example.policy", ports: ports)
            #expect(
                result.errors.isEmpty,
                "docs/policy.md block at line \(block.line):\n\(result.errors.map(\.rendered).joined(separator: "\n"))")
        }
    }

    @Test func diagnosticExamplesAreWhatTheCheckerPrints() throws {
        let blocks = try Self.blocks()
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        for block in blocks where block.info.hasPrefix("text file=") {
            try folder.write(String(block.info.dropFirst("text file=".count)), block.text)
        }
        let examples = blocks.filter { $0.info.hasPrefix("text diagnostics=") }
        #expect(examples.count >= 3)
        for example in examples {
            let name = String(example.info.dropFirst("text diagnostics=".count))
            let result = PolicyReader.read(path: folder.path + "/" + name)
            let printed = result.diagnostics.map(\.rendered).joined(separator: "\n") + "\n"
            #expect(
                printed.replacingOccurrences(of: folder.path + "/", with: "") == example.text,
                "docs/policy.md block at line \(example.line)")
        }
    }

    @Test func everyDiagnosticCodeIsDocumented() throws {
        let document = try String(contentsOfFile: Self.documentPath(), encoding: .utf8)
        for code in DiagnosticCode.allCases {
            #expect(document.contains("`\(code.rawValue)`"), "\(code.rawValue)")
        }
    }
}
