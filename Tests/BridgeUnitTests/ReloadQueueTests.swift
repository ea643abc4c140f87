import Dispatch
import Foundation
import Synchronization
import Testing

@testable import Bridge

@Suite("Reload queue")
struct ReloadQueueTests {
    /// A connected pair of Unix sockets: the queue replies on `[1]`, the test reads `[0]`.
    static func connection() throws -> (client: Int32, server: Int32) {
        var fds: [Int32] = [-1, -1]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        return (fds[0], fds[1])
    }

    static func readAll(_ fd: Int32) -> String {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        close(fd)
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func requestsDuringAReloadMakeOneMoreAndEveryoneIsAnswered() async throws {
        let queue = ReloadQueue()
        let started = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let runs = Atomic<Int>(0)
        let thread = Thread {
            queue.run {
                let number = runs.add(1, ordering: .relaxed).newValue
                if number == 1 {
                    started.signal()
                    release.wait()
                }
                return "reload \(number)"
            }
        }
        thread.start()
        let first = try Self.connection()
        queue.request(replyTo: first.server)
        started.wait()
        // Three more requests while the first reload runs: they coalesce into one.
        let waiting = try (0..<3).map { _ in try Self.connection() }
        for connection in waiting { queue.request(replyTo: connection.server) }
        queue.request()
        release.signal()
        #expect(Self.readAll(first.client) == "reload 1\n")
        for connection in waiting { #expect(Self.readAll(connection.client) == "reload 2\n") }
        queue.stop()
        #expect(runs.load(ordering: .relaxed) == 2)
    }
}
