import Logging
import Platform
import Ring

extension ForwardingWorker {
    /// The port's socket reported an error (link down or interface removed): stop polling it.
    func portFailed(_ port: Int) {
        guard let socket = ports.sockets[port] else { return }
        let error = socket.takePendingError()
        if socket.isDetached {
            socket.close()
            ports.sockets[port] = nil
            setLink(port, .gone, reason: "interface removed")
        } else {
            setLink(port, .down, reason: error.map { "\($0)" } ?? "link down")
        }
    }

    /// Acts on the link monitor's news: a port removed, back, up, down or without carrier.
    func handleLinkEvents() {
        guard let linkMonitor = ports.linkMonitor else { return }
        let events = linkMonitor.readEvents()
        for event in events.events {
            guard let port = interfaceNames.firstIndex(of: event.state.name) else { continue }
            if event.isDeleted {
                if let socket = ports.sockets[port] {
                    socket.close()
                    ports.sockets[port] = nil
                }
                setLink(port, .gone, reason: "interface removed")
            } else if event.state.canForward {
                guard reopenIfDetached(port) else { continue }
                // The ENETDOWN the kernel left on the socket when the link went down is stale now;
                // unread, it would fail the port again at the next poll, with no event to revive it.
                _ = ports.sockets[port]?.takePendingError()
                setLink(port, .up, reason: "link up")
            } else if ports.sockets[port] != nil {
                // (A port already gone stays gone until it comes back: the messages the kernel
                // sends while tearing an interface down are not news.)
                setLink(port, .down, reason: event.state.isUp ? "no carrier" : "admin down")
            }
        }
    }

    /// The interface came back under the same name (new index): a new socket on it, after the
    /// bridge prepared it again. False when that failed (logged).
    private func reopenIfDetached(_ port: Int) -> Bool {
        guard ports.sockets[port] == nil || ports.sockets[port]!.isDetached else { return true }
        guard host?.preparePortAgain(interfaceNames[port]) == true else { return false }
        do {
            ports.sockets[port] =
                try ports.sockets[port]?.reopen()
                ?? PacketSocket(interface: interfaceNames[port], configuration: socketConfiguration(port))
            return true
        } catch {
            logger.error("cannot reopen port", metadata: ["port": "\(interfaceNames[port])", "error": "\(error)"])
            return false
        }
    }

    /// The configuration the port's socket was opened with (to reopen it).
    private func socketConfiguration(_ port: Int) -> PacketSocketConfiguration {
        ports.sockets[port ^ 1]?.configuration ?? PacketSocketConfiguration()
    }

    /// Records a port's link condition; thread 0 logs changes, rate-limited.
    func setLink(_ port: Int, _ condition: LinkCondition, reason: String) {
        let previous = shared.link(port)
        linkUp[port] = condition == .up
        shared.setLink(port, condition)
        guard previous != condition, number == 0 else { return }
        host?.linkChanged(port: port, up: condition == .up)
        // A flapping link must not fill the disk: a burst, then one line a second.
        let (allowed, suppressed) = linkLogLimiter.admit(now: MonotonicClock.now())
        guard allowed else { return }
        let level: Logger.Level = condition == .up ? .notice : .warning
        var metadata: Logger.Metadata = [
            "port": "\(port == 0 ? "a" : "b")", "interface": "\(interfaceNames[port])", "reason": "\(reason)",
        ]
        if suppressed > 0 { metadata["suppressed_before"] = "\(suppressed)" }
        logger.log(level: level, "port \(condition.text)", metadata: metadata)
    }

    /// Once a second: ring drops from PACKET_STATISTICS into the port counters, and the flow
    /// table's figures for `status`.
    func publishStatistics() {
        let now = MonotonicClock.now()
        guard now >= nextStatistics else { return }
        nextStatistics = now + 1_000_000_000
        if let flows = state.flows { shared.publish(flows.statistics) }
        if !pipeline.policy.limits.isEmpty { shared.publish(meterEvictions: state.meterEvictions()) }
        for port in 0..<2 {
            guard let socket = ports.sockets[port] else { continue }
            let statistics = socket.statistics()
            let known = counters.read(.ringDrops, port: UInt8(port))
            if statistics.dropped > known { counters.add(.ringDrops, port: UInt8(port), statistics.dropped - known) }
        }
    }
}
