import Bridge
import Foundation
import TestSupport
import Testing

/// `bridgekeeper reload` waits as long as `--timeout` says and, when no result comes, says what
/// to do instead of only "did not answer".
@Suite struct ReloadCommandTests {
    @Test func noResultWithinTheTimeoutSaysTheReloadMayStillRun() throws {
        // A control socket nobody accepts on (the kernel's backlog takes the connection): a bridge
        // busy with a long reload, as the client sees it.
        let listener = try ControlListener(path: "/tmp/bk-silent-\(UInt32.random(in: 0 ... .max)).sock")
        let started = Date()
        let result = Shell.result([try BridgekeeperBinary.path, "reload", "--control", listener.path, "--timeout", "1"])
        #expect(result.status == 1)
        #expect(result.errors.contains("no reload result from \(listener.path) within 1 s"), "\(result.errors)")
        #expect(result.errors.contains("pass a longer --timeout"))
        // It waited for the answer rather than failing at once (not a timing claim: at least 1 s).
        #expect(Date().timeIntervalSince(started) >= 0.9)
        withExtendedLifetime(listener) {}
    }

    @Test func aTimeoutBelowOneSecondIsRefused() throws {
        let result = Shell.result([try BridgekeeperBinary.path, "reload", "--timeout", "0"])
        #expect(result.status != 0)
        #expect(result.errors.contains("--timeout must be at least 1 second"), "\(result.errors)")
    }
}
