import Glibc
import Ring
import TestSupport
import Testing

@Suite("Link monitoring")
struct LinkMonitorTests {
    /// Reads monitor events until one about `name` satisfies `predicate` or 3 s pass.
    private static func waitForEvent(
        _ monitor: LinkMonitor, name: String, _ predicate: (LinkEvent) -> Bool
    ) -> LinkEvent? {
        let deadline = monotonicSeconds() + 3
        while monotonicSeconds() < deadline {
            _ = pollOnce(monitor.fileDescriptor, timeoutMilliseconds: 100)
            for event in monitor.readEvents().events where event.state.name == name && predicate(event) {
                return event
            }
        }
        return nil
    }

    @Test("the monitor reports a port going down, coming back, and being deleted")
    func events() async throws {
        let (down, up, deleted) = try await TestNamespace.with { namespace in
            try namespace.addVethPair("near", "far")
            return try await namespace.run { () -> (LinkEvent?, LinkEvent?, LinkEvent?) in
                let monitor = try LinkMonitor()
                try namespace.ip("link", "set", "near", "down")
                let down = Self.waitForEvent(monitor, name: "near") { !$0.state.isUp }
                try namespace.ip("link", "set", "near", "up")
                let up = Self.waitForEvent(monitor, name: "near") { $0.state.canForward }
                try namespace.ip("link", "del", "near")
                let deleted = Self.waitForEvent(monitor, name: "near") { $0.isDeleted }
                return (down, up, deleted)
            }
        }
        #expect(down?.state.isRunning == false)
        #expect(down?.isDeleted == false)
        #expect(up?.state.hasCarrier == true)
        #expect(up?.state.mtu == 1500)
        #expect(deleted != nil)
        #expect(down?.state.index == deleted?.state.index)
    }

    @Test("the far end going down shows as carrier loss on the near end")
    func carrierLoss() async throws {
        let event = try await TestNamespace.with { namespace in
            try namespace.addVethPair("near", "far")
            return try await namespace.run { () -> LinkEvent? in
                let monitor = try LinkMonitor()
                try namespace.ip("link", "set", "far", "down")
                return Self.waitForEvent(monitor, name: "near") { !$0.state.hasCarrier }
            }
        }
        #expect(event?.state.isUp == true)
        #expect(event?.state.isRunning == false)
    }

    @Test("linkState(of:) reads the current state, nil for a missing interface")
    func query() async throws {
        let (up, down, missing) = try await TestNamespace.with { namespace in
            try namespace.addVethPair("near", "far", mtu: 4000)
            return try await namespace.run { () -> (LinkState?, LinkState?, LinkState?) in
                let up = try LinkMonitor.linkState(of: "near")
                try namespace.ip("link", "set", "far", "down")
                let down = try LinkMonitor.linkState(of: "far")
                return (up, down, try LinkMonitor.linkState(of: "nosuch0"))
            }
        }
        #expect(up?.name == "near" && up?.canForward == true && up?.mtu == 4000)
        #expect(down?.isUp == false && down?.canForward == false)
        #expect(missing == nil)
    }
}

@Suite("Port link loss")
struct PortLinkLossTests {
    struct Observation: Sendable {
        var errorEvents: Int16 = 0
        var pendingError: Int32 = 0
        var wakeupsWhileDown = 0
        var sendWhileDown: SendResult = .sent
        var receivedAfterUp = 0
    }

    @Test("a port that goes down wakes poll once, then costs nothing, and receives again when up")
    func downAndUp() async throws {
        let observation = try await TestNamespace.with { namespace in
            try namespace.addVethPair("near", "far")
            return try await namespace.run { () -> Observation in
                var observation = Observation()
                let port = try PacketSocket(interface: "near")
                try namespace.ip("link", "set", "near", "down")
                observation.errorEvents = pollOnce(port.fileDescriptor, timeoutMilliseconds: 2000)
                observation.pendingError = port.takePendingError()?.rawValue ?? 0
                let frame = TestFrames.frame(length: 60, marker: 50)
                observation.sendWhileDown = frame.withUnsafeBytes { port.send($0) }
                let deadline = monotonicSeconds() + 0.5
                while monotonicSeconds() < deadline {
                    if pollOnce(port.fileDescriptor, timeoutMilliseconds: 100) != 0 {
                        observation.wakeupsWhileDown += 1
                    }
                }
                try namespace.ip("link", "set", "near", "up")
                _ = try waitUntil { try LinkMonitor.linkState(of: "near")?.canForward == true }
                let injector = try PlainPacketSocket(interface: "far")
                try injector.send(frame)
                observation.receivedAfterUp = port.collect(count: 1) { TestFrames.isMarked($0, 50) }.count
                return observation
            }
        }
        #expect(observation.errorEvents & Int16(POLLERR) != 0)
        #expect(observation.pendingError == ENETDOWN)
        #expect(observation.sendWhileDown == .linkDown)
        #expect(observation.wakeupsWhileDown == 0)
        #expect(observation.receivedAfterUp == 1)
    }

    @Test("a deleted port leaves its socket detached; reopen() after re-creation receives again")
    func deletedAndRecreated() async throws {
        let (detachedBefore, detachedAfterDelete, received) = try await TestNamespace.with { namespace in
            try namespace.addVethPair("near", "far")
            return try await namespace.run { () -> (Bool, Bool, Int) in
                let port = try PacketSocket(interface: "near")
                let before = port.isDetached
                try namespace.ip("link", "del", "near")
                let events = pollOnce(port.fileDescriptor, timeoutMilliseconds: 2000)
                guard events & Int16(POLLERR) != 0, port.takePendingError()?.rawValue == ENETDOWN else {
                    throw TestFailure("deleting the interface did not raise ENETDOWN (revents \(events))")
                }
                let afterDelete = port.isDetached
                try namespace.addVethPair("near", "far")
                let reopened = try port.reopen()
                guard port.fileDescriptor == -1, port.receive() == nil else {
                    throw TestFailure("reopen() left the old socket open")
                }
                _ = try waitUntil { try LinkMonitor.linkState(of: "near")?.canForward == true }
                let injector = try PlainPacketSocket(interface: "far")
                try injector.send(TestFrames.frame(length: 60, marker: 51))
                let received = reopened.collect(count: 1) { TestFrames.isMarked($0, 51) }.count
                return (before, afterDelete, received)
            }
        }
        #expect(!detachedBefore)
        #expect(detachedAfterDelete)
        #expect(received == 1)
    }
}

@Suite("Port carrier loss")
struct PortCarrierLossTests {
    @Test("carrier loss raises no POLLERR and no wakeups; a bypass send reports noRoom (ENOBUFS), not linkDown")
    func carrierLoss() async throws {
        let (wakeups, bypassSend, queuedSend, receivedAfter) = try await TestNamespace.with { namespace in
            try namespace.addVethPair("near", "far")
            return try await namespace.run { () -> (Int, SendResult, SendResult, Int) in
                let port = try PacketSocket(interface: "near")
                let queued = try PacketSocket(interface: "near", configuration: .with { $0.qdiscBypass = false })
                try namespace.ip("link", "set", "far", "down")
                _ = try waitUntil { try LinkMonitor.linkState(of: "near")?.hasCarrier == false }
                var wakeups = 0
                for _ in 0..<3 where pollOnce(port.fileDescriptor, timeoutMilliseconds: 100) != 0 { wakeups += 1 }
                let frame = TestFrames.frame(length: 60, marker: 52)
                // The driver refuses the frame (ENOBUFS); through the qdisc, the no-carrier noop
                // qdisc swallows it and reports success.
                let bypassSend = frame.withUnsafeBytes { port.send($0) }
                let queuedSend = frame.withUnsafeBytes { queued.send($0) }
                try namespace.ip("link", "set", "far", "up")
                _ = try waitUntil { try LinkMonitor.linkState(of: "near")?.canForward == true }
                let injector = try PlainPacketSocket(interface: "far")
                try injector.send(frame)
                let received = port.collect(count: 1) { TestFrames.isMarked($0, 52) }.count
                return (wakeups, bypassSend, queuedSend, received)
            }
        }
        #expect(wakeups == 0)
        #expect(bypassSend == .noRoom)
        #expect(queuedSend == .sent)
        #expect(receivedAfter == 1)
    }
}
