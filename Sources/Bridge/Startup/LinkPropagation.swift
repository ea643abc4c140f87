/// `run --link-propagate`: link-fault pass-through, as hardware bypass appliances do. When one
/// port loses its link, the other port is taken down so the segment behind it sees the failure
/// (its routers fail over); when the first comes back, so does the second. Both directions.
///
/// Pure decisions (the bridge applies them): a port this takes down is "held", and its own
/// link events are ignored while held (they are this decision's echo, not news). A port is
/// switched at most once per ``holdDown`` so a flapping link does not flap the other side
/// faster; the latest wanted state is applied when the hold-down ends.
struct LinkPropagation: Sendable, Equatable {
    /// What the bridge must do to a port.
    enum Action: Equatable, Sendable {
        case takeDown(port: Int)
        case bringUp(port: Int)
    }

    /// The shortest time between two switches of one port, nanoseconds.
    let holdDown: UInt64
    /// Port p's link is down of itself (not held by this).
    private(set) var down = [false, false]
    /// Port p is down because this took it down.
    private(set) var held = [false, false]
    /// When port p was last switched (0: never).
    private var lastSwitch: [UInt64] = [0, 0]
    /// Times each port was taken down because the other's link failed.
    private(set) var propagations: [UInt64] = [0, 0]

    init(holdDown: UInt64 = 1_000_000_000) {
        self.holdDown = holdDown
    }

    /// Port `port`'s link went up or down at `now`; what to do now (more may follow from ``due(now:)``).
    mutating func linkChanged(port: Int, up: Bool, now: UInt64) -> [Action] {
        guard !held[port] else { return [] }
        down[port] = !up
        return due(now: now)
    }

    /// The switches whose time has come: each port is wanted down while the other is down of
    /// itself; a switch waits out its port's hold-down.
    mutating func due(now: UInt64) -> [Action] {
        var actions: [Action] = []
        for port in 0..<2 {
            let wantHeld = down[port ^ 1]
            guard wantHeld != held[port] else { continue }
            // Never take down a port that is itself down: it has nothing to show.
            if wantHeld && down[port] { continue }
            guard lastSwitch[port] == 0 || now &- lastSwitch[port] >= holdDown else { continue }
            lastSwitch[port] = now
            held[port] = wantHeld
            if wantHeld {
                propagations[port] &+= 1
                actions.append(.takeDown(port: port))
            } else {
                actions.append(.bringUp(port: port))
            }
        }
        return actions
    }
}
