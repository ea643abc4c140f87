import Glibc
import Platform
import Testing

@Suite("Platform thread")
struct PlatformThreadTests {
    /// What a thread saw of itself.
    final class Seen: @unchecked Sendable {
        var name = ""
        var cpus: [Int] = []
        var ran = false
    }

    /// The calling thread's name as the kernel shows it (`/proc/thread-self/comm`).
    static func currentName() -> String {
        let fd = open("/proc/thread-self/comm", O_RDONLY)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 64)
        let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        return String(decoding: bytes[0..<max(0, count)], as: UTF8.self).trimmingTrailingNewline()
    }

    @Test("the body runs on a thread the kernel knows by the given name, and join waits for it")
    func nameAndJoin() throws {
        let seen = Seen()
        let thread = try PlatformThread.start(name: "bk-test-thread") {
            seen.name = Self.currentName()
            seen.ran = true
        }
        thread.join()
        thread.join()
        #expect(seen.ran)
        #expect(seen.name == "bk-test-thread")
    }

    @Test("a name longer than the kernel keeps is cut to its first 15 bytes")
    func longName() throws {
        let seen = Seen()
        let thread = try PlatformThread.start(name: "bridgekeeper-forwarding-7") { seen.name = Self.currentName() }
        thread.join()
        #expect(seen.name == "bridgekeeper-fo")
    }

    @Test("a pinned thread starts on exactly its CPU")
    func pinned() throws {
        let allowed = CPUAffinity.currentThreadCPUs()
        let cpu = try #require(allowed.last)
        let seen = Seen()
        let thread = try PlatformThread.start(name: "bk-pinned", cpus: [cpu]) {
            seen.cpus = CPUAffinity.currentThreadCPUs()
        }
        thread.join()
        #expect(seen.cpus == [cpu])
    }

    @Test("a CPU the kernel refuses fails the start, and the body never runs")
    func refusedCPU() {
        let seen = Seen()
        let missing = CPUAffinity.maximumCPU
        #expect(!CPUAffinity.currentThreadCPUs().contains(missing))
        do {
            let thread = try PlatformThread.start(name: "bk-refused", cpus: [missing]) {
                seen.ran = true
            }
            thread.join()
            Issue.record("the start succeeded")
        } catch {
            guard case .pinning(.pinningFailed(let cpus, let code)) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(cpus == [missing] && code == .invalidArgument)
            #expect(error.description.hasPrefix("cannot pin to CPUs \(missing) (Invalid argument)"))
        }
        #expect(!seen.ran)
    }

    @Test("a thread given a stack size can use most of it")
    func stackSize() throws {
        let seen = Seen()
        let thread = try PlatformThread.start(name: "bk-stack", stackSize: 16 << 20) {
            // 8 MiB on the stack: more than a default stack of 8 MiB leaves room for.
            withUnsafeTemporaryAllocation(byteCount: 12 << 20, alignment: 16) { buffer in
                buffer.initializeMemory(as: UInt8.self, repeating: 1)
                seen.ran = buffer.last == 1
            }
        }
        thread.join()
        #expect(seen.ran)
    }
}

extension String {
    fileprivate func trimmingTrailingNewline() -> String {
        hasSuffix("\n") ? String(dropLast()) : self
    }
}
