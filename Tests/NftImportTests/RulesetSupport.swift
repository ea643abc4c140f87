import Foundation
import Loader
import NftImport
import TestSupport

/// The rulesets shipped with these tests, read by the kernel's nft in a namespace of their own.
enum Rulesets {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Rulesets")

    static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// `nft -j list ruleset` after `nft -f FILE` in a fresh namespace (root).
    static func json(loading path: String) async throws -> String {
        try await TestNamespace.with { namespace in
            try namespace.exec("nft", "-f", path)
            return try namespace.exec("nft", "-j", "list", "ruleset")
        }
    }

    /// A scratch folder for files a test writes, removed by the caller.
    static func scratch() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bk-import-\(getpid())-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// The check report of an imported policy, its errors rendered for a failure message.
    static func errors(_ report: LoadReport) -> String {
        (report.errors.map(\.rendered) + report.tests.filter { !$0.passed }.map { "test failed: \($0.name)" })
            .joined(separator: "\n")
    }
}
