import Foundation
import Glibc

/// Binaries SwiftPM built next to the tests, for tests that run the real commands.
public enum BuiltProduct {
    /// The package's root folder (where Package.swift is).
    public static var packageRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }

    /// The path of product `name`; throws with what to do when it has not been built.
    public static func path(_ name: String) throws -> String {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path + "/" + name,
            packageRoot + "/.build/debug/" + name,
        ]
        guard let found = candidates.first(where: { access($0, X_OK) == 0 }) else {
            throw TestFailure("no \(name) at \(candidates); run `swift build` first")
        }
        return found
    }
}

/// The `bridgekeeper` binary built next to the tests.
public enum BridgekeeperBinary {
    public static var path: String {
        get throws { try BuiltProduct.path("bridgekeeper") }
    }
}
