import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A named network namespace a test creates (`ip netns add`) and deletes, with a way to run
/// code inside it on a dedicated thread (so netlink and packet sockets opened there live in it).
final class NetworkNamespace: @unchecked Sendable {
    let name: String
    private var deleted = false

    /// Creates `bkm<pid>-<tag>-<random>`.
    init(_ tag: String) throws {
        name = "bkm\(getpid())-\(tag)-\(UInt32.random(in: 0...UInt32.max) % 100_000)"
        try Shell.run(["ip", "netns", "add", name])
        // Quiet: no IPv6 chatter (router solicitations, DAD) from interfaces made here.
        try Shell.run(["ip", "netns", "exec", name, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"])
        try Shell.run(["ip", "netns", "exec", name, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"])
        try Shell.run(["ip", "-n", name, "link", "set", "lo", "up"])
    }

    deinit { delete() }

    /// Deletes the namespace (idempotent). `ip netns del` can fail while another test runs
    /// `ip netns add` (both remount /var/run/netns), so it is retried until the name is gone.
    func delete() {
        guard !deleted else { return }
        deleted = true
        for _ in 0..<20 {
            _ = Shell.result(["ip", "netns", "del", name])
            if !FileManager.default.fileExists(atPath: "/var/run/netns/\(name)") { return }
            usleep(50_000)
        }
        Issue.record("could not delete network namespace \(name): a test must remove what it made")
    }

    /// `ip netns exec NAME ARGS...`.
    func exec(_ arguments: [String], input: String? = nil) -> CommandResult {
        Shell.result(["ip", "netns", "exec", name] + arguments, input: input)
    }

    @discardableResult
    func must(_ arguments: [String], input: String? = nil) throws -> String {
        try Shell.run(["ip", "netns", "exec", name] + arguments, input: input)
    }

    /// `ip -n NAME ARGS...`.
    func ip(_ arguments: [String]) throws {
        try Shell.run(["ip", "-n", name] + arguments)
    }

    /// Runs `body` on a new thread that has joined this namespace, and waits for it.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) throws -> T {
        let box = ResultBox<T>()
        let path = "/var/run/netns/\(name)"
        let thread = Thread {
            let fd = open(path, O_RDONLY)
            guard fd >= 0, joinNamespace(fd, cloneNewNet) == 0 else {
                box.set(.failure(NamespaceError(message: "cannot join \(path): errno \(errno)")))
                if fd >= 0 { close(fd) }
                return
            }
            close(fd)
            box.set(Result { try body() })
        }
        thread.stackSize = 8 << 20
        thread.start()
        return try box.wait().get()
    }
}

/// glibc's `setns(2)` (declared only with `_GNU_SOURCE`, which a Swift test target cannot set).
@_silgen_name("setns") private func joinNamespace(_ fd: Int32, _ type: Int32) -> Int32
/// `CLONE_NEWNET`.
private let cloneNewNet: Int32 = 0x4000_0000

struct NamespaceError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Hands a thread's result to the waiting test.
private final class ResultBox<T>: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private var result: Result<T, any Error>?

    func set(_ result: Result<T, any Error>) {
        self.result = result
        semaphore.signal()
    }

    func wait() -> Result<T, any Error> {
        semaphore.wait()
        return result!
    }
}
