import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `bridgekeeper reload` waits as long as `--timeout` says and, when no result comes, says what
/// to do instead of only "did not answer".
@Suite struct ReloadCommandTests {
    /// A Unix socket that accepts connections (the kernel's backlog) and never answers: a bridge
    /// busy with a long reload, as the client sees it.
    final class SilentListener {
        let path: String
        let fd: Int32

        init() throws {
            path = "/tmp/bk-silent-\(getpid())-\(UInt32.random(in: 0 ... .max)).sock"
            fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
            }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            #expect(fd >= 0 && bound == 0 && listen(fd, 4) == 0, "cannot listen on \(path): errno \(errno)")
        }

        deinit {
            close(fd)
            unlink(path)
        }
    }

    @Test func noResultWithinTheTimeoutSaysTheReloadMayStillRun() throws {
        let listener = try SilentListener()
        let started = Date()
        let result = Shell.result([try BridgekeeperBinary.path, "reload", "--control", listener.path, "--timeout", "1"])
        #expect(result.status == 1)
        #expect(result.errors.contains("no reload result from \(listener.path) within 1 s"), "\(result.errors)")
        #expect(result.errors.contains("pass a longer --timeout"))
        // It waited for the answer rather than failing at once (not a timing claim: at least 1 s).
        #expect(Date().timeIntervalSince(started) >= 0.9)
    }

    @Test func aTimeoutBelowOneSecondIsRefused() throws {
        let result = Shell.result([try BridgekeeperBinary.path, "reload", "--timeout", "0"])
        #expect(result.status != 0)
        #expect(result.errors.contains("--timeout must be at least 1 second"), "\(result.errors)")
    }
}
