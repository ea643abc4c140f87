import Platform

/// Why the ports could not be prepared. Each ``description`` is one line that says what to do.
public enum PortSetupError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No port names were given.
    case noPorts
    /// No interface has this name.
    case missingInterface(String)
    /// The same interface was given for two ports.
    case sameInterfaceTwice(String)
    /// The port carries an IP address (IPv4, or IPv6 other than link-local).
    case addressed(port: String, address: String)
    /// The port could not be brought up.
    case cannotBringUp(port: String, Errno)
    /// Reading or changing the port's offloads failed.
    case cannotChangeOffloads(port: String, Errno)
    /// Writing `net.ipv6.conf.<port>.disable_ipv6` failed.
    case cannotDisableIPv6(port: String, Errno)
    /// Reading the port's flags or MTU failed.
    case cannotQuery(port: String, Errno)
    /// The control socket could not be opened.
    case controlSocketFailed(Errno)

    /// One line for the operator.
    public var description: String {
        switch self {
        case .noPorts:
            return "no ports given: name two interfaces"
        case .missingInterface(let name):
            return "interface '\(name)' does not exist: check the name with `ip link`"
        case .sameInterfaceTwice(let name):
            return "interface '\(name)' is given as both ports: a bridge needs two different interfaces"
        case .addressed(let port, let address):
            return "interface '\(port)' has IP address \(address): bridge ports must carry no address; "
                + "remove it with `ip address flush dev \(port)`"
        case .cannotBringUp(let port, let error):
            return "cannot bring interface '\(port)' up: \(error)"
        case .cannotChangeOffloads(let port, let error):
            return "cannot turn offloads off on '\(port)' (\(error)): "
                + "run `ethtool -K \(port) gro off gso off tso off lro off` and start again"
        case .cannotDisableIPv6(let port, let error):
            return "cannot set net.ipv6.conf.\(port).disable_ipv6 (\(error)): "
                + "run `sysctl -w net.ipv6.conf.\(port).disable_ipv6=1` and start again"
        case .cannotQuery(let port, let error):
            return "cannot read the settings of interface '\(port)': \(error)"
        case .controlSocketFailed(let error):
            return "cannot open a control socket: \(error)"
        }
    }
}

/// Something about the ports that works but deserves the operator's attention.
public enum PortWarning: Sendable, Equatable, CustomStringConvertible {
    /// The ports' MTUs differ: frames that fit one may be too big for the other.
    case mtuMismatch(port: String, mtu: Int, otherPort: String, otherMTU: Int)
    /// These coalescing offloads could not be switched off (fixed on by the driver): the port may
    /// hand over frames larger than its MTU.
    case offloadsStillActive(port: String, features: [String])

    /// One line for the operator.
    public var description: String {
        switch self {
        case .mtuMismatch(let port, let mtu, let otherPort, let otherMTU):
            return "ports '\(port)' (MTU \(mtu)) and '\(otherPort)' (MTU \(otherMTU)) have different MTUs: "
                + "frames larger than \(min(mtu, otherMTU)) bytes will not cross; set both with `ip link set DEV mtu N`"
        case .offloadsStillActive(let port, let features):
            return "interface '\(port)' keeps \(features.joined(separator: ", ")) on (fixed by the driver): "
                + "it may deliver frames larger than its MTU"
        }
    }
}

/// A setting that could not be put back on teardown.
public struct PortRestoreFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The interface.
    public let port: String
    /// What could not be restored, e.g. "offloads".
    public let setting: String
    /// Why.
    public let error: Errno

    /// One line for the operator.
    public var description: String {
        "cannot restore \(setting) on interface '\(port)': \(error)"
    }
}
