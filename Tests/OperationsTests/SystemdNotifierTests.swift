import Foundation
import Glibc
import TestSupport
import Testing

@testable import Operations

@Suite("systemd notification")
struct SystemdNotifierTests {
    /// A Unix datagram socket bound where NOTIFY_SOCKET will point, standing in for systemd.
    final class FakeManager {
        let fd: Int32
        let address: String
        private let path: String?

        init(abstract: Bool) throws {
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            let name = "bk-notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            path = abstract ? nil : NSTemporaryDirectory() + name
            address = abstract ? "@" + name : path!
            var socketAddress = sockaddr_un()
            socketAddress.sun_family = sa_family_t(AF_UNIX)
            var bytes = Array(address.utf8)
            if abstract { bytes[0] = 0 }
            withUnsafeMutableBytes(of: &socketAddress.sun_path) { raw in
                for (i, byte) in bytes.enumerated() { raw[i] = byte }
            }
            let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1))
            let bound = withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
            }
            guard bound == 0 else { throw TestFailure("bind \(address): \(String(cString: strerror(errno)))") }
            var timeout = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        deinit {
            close(fd)
            if let path { unlink(path) }
        }

        /// The next message, as its lines.
        func receive() throws -> [String] {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = recv(fd, &buffer, buffer.count, 0)
            guard count > 0 else { throw TestFailure("no notification arrived") }
            return String(decoding: buffer[0..<count], as: UTF8.self).split(separator: "\n").map(String.init)
        }
    }

    @Test("READY, RELOADING with MONOTONIC_USEC, STATUS and STOPPING reach a path socket", arguments: [false, true])
    func sendsMessages(abstract: Bool) throws {
        let manager = try FakeManager(abstract: abstract)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": manager.address])
        #expect(notifier.isEnabled)
        try notifier.ready(status: "forwarding eth1 <-> eth2, generation 1\n(3 rules)")
        #expect(try manager.receive() == ["READY=1", "STATUS=forwarding eth1 <-> eth2, generation 1 (3 rules)"])

        // MONOTONIC_USEC must be CLOCK_MONOTONIC in µs, the clock systemd compares it with.
        let before = Self.monotonicMicroseconds()
        try notifier.reloading()
        let reloading = try manager.receive()
        let after = Self.monotonicMicroseconds()
        #expect(reloading.first == "RELOADING=1")
        let stamp = reloading.first(where: { $0.hasPrefix("MONOTONIC_USEC=") }).flatMap { UInt64($0.dropFirst(15)) }
        #expect(stamp.map { (before...after).contains($0) } == true, "\(reloading) not in \(before)...\(after)")
        #expect(reloading.contains("STATUS=reloading the policy"))

        try notifier.status("reload failed; generation 1 stays in force")
        #expect(try manager.receive() == ["STATUS=reload failed; generation 1 stays in force"])
        try notifier.stopping()
        #expect(try manager.receive() == ["STOPPING=1", "STATUS=stopping"])
        try notifier.watchdog()
        #expect(try manager.receive() == ["WATCHDOG=1"])
    }

    static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
    }

    @Test("without NOTIFY_SOCKET every call does nothing")
    func offWithoutSocket() throws {
        for environment in [[:], ["NOTIFY_SOCKET": ""], ["NOTIFY_SOCKET": "relative/path"]] {
            let notifier = SystemdNotifier(environment: environment)
            #expect(!notifier.isEnabled)
            try notifier.ready(status: "x")
            try notifier.reloading()
        }
    }

    @Test("a socket nobody listens on is a one-line error, not a crash")
    func reportsMissingManager() {
        let notifier = SystemdNotifier(socket: "/nonexistent/bk-notify.sock")
        #expect {
            try notifier.ready(status: "x")
        } throws: { error in
            (error as? NotifyError)?.description
                == "cannot notify systemd at /nonexistent/bk-notify.sock: No such file or directory"
        }
    }

    @Test("the watchdog interval is half of WATCHDOG_USEC, for this process only")
    func watchdogInterval() {
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "10000000"]) == 5_000_000)
        #expect(
            SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "10000000", "WATCHDOG_PID": "\(getpid())"])
                == 5_000_000)
        #expect(
            SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "10000000", "WATCHDOG_PID": "1"]) == nil)
        #expect(SystemdNotifier.watchdogInterval(environment: [:]) == nil)
    }
}
