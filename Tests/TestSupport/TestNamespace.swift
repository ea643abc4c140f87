import CLinuxShim
import Dispatch
import Foundation
import Glibc
import Synchronization

/// A network namespace created for one test and always removed afterwards.
///
/// Code that opens sockets runs through ``run(_:)`` on a dedicated thread that has entered the
/// namespace, so the sockets live there; tools run with `ip -n` / `ip netns exec`.
public final class TestNamespace: Sendable {
    public let name: String

    private init(name: String) {
        self.name = name
    }

    private static let prefix = "bkring-"
    private static let counter = Counter()

    /// Creates a namespace, runs `body`, and deletes the namespace however `body` ends.
    /// With `quiet`, IPv6 is off in the namespace so no autoconfiguration frames appear.
    public static func with<T>(quiet: Bool = true, _ body: (TestNamespace) async throws -> T) async throws -> T {
        removeStaleNamespaces
        let name = "\(prefix)\(getpid())-\(counter.next())"
        try Shell.run("ip", "netns", "add", name)
        let namespace = TestNamespace(name: name)
        let result: T
        do {
            try namespace.ip("link", "set", "lo", "up")
            if quiet {
                try namespace.exec(
                    "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1")
            }
            result = try await body(namespace)
        } catch {
            // The test's own failure is the one to report; a namespace that will not go is said too.
            if case .failure(let removal) = Result(catching: { try namespace.remove() }) {
                FileHandle.standardError.write(Data("\(removal)\n".utf8))
            }
            throw error
        }
        try namespace.remove()
        return result
    }

    /// `ip -n NAME ...`
    @discardableResult
    public func ip(_ arguments: String...) throws -> String {
        try Shell.run(["ip", "-n", name] + arguments)
    }

    /// `ip netns exec NAME ...`
    @discardableResult
    public func exec(_ arguments: String...) throws -> String {
        try Shell.run(["ip", "netns", "exec", name] + arguments)
    }

    /// Creates a veth pair `first`/`second`, both up (with offloads as the kernel defaults them).
    public func addVethPair(_ first: String, _ second: String, mtu: Int? = nil) throws {
        try ip("link", "add", first, "type", "veth", "peer", "name", second)
        if let mtu {
            try ip("link", "set", first, "mtu", String(mtu))
            try ip("link", "set", second, "mtu", String(mtu))
        }
        try ip("link", "set", first, "up")
        try ip("link", "set", second, "up")
    }

    /// Runs `body` on a new thread inside the namespace and returns its result.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        let path = "/var/run/netns/\(name)"
        return try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try Self.enter(path, then: body) }) }
            thread.start()
        }
    }

    /// On the calling thread: enters the namespace at `path`, then runs `body`.
    fileprivate static func enter<T>(_ path: String, then body: () throws -> T) throws -> T {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw NamespaceError.cannotOpen(path, errno) }
        defer { close(fd) }
        let error = cls_enter_network_namespace(fd)
        guard error == 0 else { throw NamespaceError.cannotEnter(path, error) }
        return try body()
    }

    /// Deletes the namespace; throws when it is still there after `ip netns del` (a namespace
    /// left behind is a failure of the test that made it, not something to ignore). `ip netns del`
    /// can fail while another test runs `ip netns add` (both remount /var/run/netns), so it is
    /// tried again until the name is gone, for at most a second.
    private func remove() throws {
        var last = CommandResult(status: 0, output: "", errors: "")
        for _ in 0..<20 {
            last = Shell.result(["ip", "netns", "del", name])
            if !FileManager.default.fileExists(atPath: "/var/run/netns/\(name)") { return }
            usleep(50_000)
        }
        throw Shell.Failure(command: ["ip", "netns", "del", name], status: last.status, output: last.errors)
    }

    /// Namespaces left by an earlier test process that died before its cleanup ran.
    private static let removeStaleNamespaces: Void = {
        guard let list = try? Shell.run("ip", "netns", "list") else { return }
        for line in list.split(separator: "\n") {
            guard let name = line.split(separator: " ").first, name.hasPrefix(prefix) else { continue }
            let pidText = name.dropFirst(prefix.count).split(separator: "-").first ?? ""
            guard let pid = Int32(pidText), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            _ = try? Shell.run("ip", "netns", "del", String(name))
        }
    }()
}

public enum NamespaceError: Error {
    case cannotOpen(String, Int32)
    case cannotEnter(String, Int32)
}

/// A thread-safe counter for unique names.
public final class Counter: Sendable {
    public init() {}

    private let value = Mutex(0)

    public func next() -> Int {
        value.withLock {
            $0 += 1
            return $0
        }
    }
}

/// Work running on its own thread inside a namespace; ``wait()`` blocks until it ends.
///
/// Unlike ``TestNamespace/run(_:)`` it needs no task from Swift's cooperative pool, so a test can
/// start a capture, block until it is ready, and send, without starving the pool (which has as
/// many threads as CPUs: two here).
public final class NamespaceThread<T: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<T, any Error>?

    fileprivate init() {}

    fileprivate func finish(_ outcome: Result<T, any Error>) {
        result = outcome
        done.signal()
    }

    /// Blocks until the thread's work ends and returns its result.
    public func wait() throws -> T {
        done.wait()
        return try result!.get()
    }
}

extension TestNamespace {
    /// Starts `body` on a new thread inside the namespace.
    public func start<T: Sendable>(_ body: @escaping @Sendable () throws -> T) -> NamespaceThread<T> {
        let pending = NamespaceThread<T>()
        let path = "/var/run/netns/\(name)"
        let thread = Thread { pending.finish(Result { try Self.enter(path, then: body) }) }
        thread.start()
        return pending
    }
}
