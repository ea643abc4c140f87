import Platform

/// An interface's state as rtnetlink reports it.
public struct LinkState: Sendable, Equatable {
    /// Interface index.
    public let index: Int32
    /// Interface name.
    public let name: String
    /// Administratively up (IFF_UP: `ip link set DEV up`).
    public let isUp: Bool
    /// Operationally up (IFF_RUNNING: up and has carrier).
    public let isRunning: Bool
    /// The link has carrier (IFF_LOWER_UP).
    public let hasCarrier: Bool
    /// The MTU, when the message carried it.
    public let mtu: Int?

    /// Creates a state.
    public init(index: Int32, name: String, isUp: Bool, isRunning: Bool, hasCarrier: Bool, mtu: Int?) {
        self.index = index
        self.name = name
        self.isUp = isUp
        self.isRunning = isRunning
        self.hasCarrier = hasCarrier
        self.mtu = mtu
    }

    /// Frames can flow: up and running.
    public var canForward: Bool { isUp && isRunning }
}

/// One change ``LinkMonitor`` saw.
public struct LinkEvent: Sendable, Equatable {
    /// The interface's state after the change (for a deletion, its last state).
    public let state: LinkState
    /// The interface was deleted (RTM_DELLINK): sockets bound to it are dead; reopen them if an
    /// interface of that name comes back.
    public let isDeleted: Bool

    /// Creates an event.
    public init(state: LinkState, isDeleted: Bool) {
        self.state = state
        self.isDeleted = isDeleted
    }
}

/// What one ``LinkMonitor/readEvents()`` drained.
public struct LinkEvents: Sendable, Equatable {
    /// The events, oldest first.
    public var events: [LinkEvent] = []
    /// The kernel dropped events because the socket's buffer was full (ENOBUFS): query the ports'
    /// state with ``LinkMonitor/linkState(of:)`` instead of trusting the events alone.
    public var eventsLost = false

    /// No events.
    public init() {}
}

/// Why a ``LinkMonitor`` could not be opened or a link query failed.
public enum LinkMonitorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The rtnetlink socket could not be opened or bound.
    case socketFailed(Errno)
    /// The kernel did not answer a link query.
    case queryFailed(interface: String, Errno)

    /// One line for the operator.
    public var description: String {
        switch self {
        case .socketFailed(let error):
            return "cannot open an rtnetlink socket to watch the ports' links: \(error)"
        case .queryFailed(let interface, let error):
            return "cannot read the link state of '\(interface)': \(error)"
        }
    }
}
