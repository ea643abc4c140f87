import Foundation
import Glibc

/// The `bridgekeeper` binary built next to the tests, for tests that run the real command.
public enum BridgekeeperBinary {
    /// Its path; throws with what to do when it has not been built.
    public static var path: String {
        get throws {
            let candidates = [
                URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path + "/bridgekeeper",
                URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                    .deletingLastPathComponent().path + "/.build/debug/bridgekeeper",
            ]
            guard let found = candidates.first(where: { access($0, X_OK) == 0 }) else {
                throw TestFailure("no bridgekeeper binary at \(candidates); run `swift build` first")
            }
            return found
        }
    }
}
