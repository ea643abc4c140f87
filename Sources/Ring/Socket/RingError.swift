import Glibc
import Platform

/// Why a ``PacketSocket`` could not be opened or configured.
///
/// Every case's ``description`` is one line that says what went wrong and, where the operator can
/// fix it, what to do.
public enum RingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No interface has this name (in this network namespace).
    case interfaceNotFound(String)
    /// `socket(AF_PACKET)` failed; EPERM means the process lacks CAP_NET_RAW.
    case socketFailed(Errno)
    /// A socket option the ring needs was refused.
    case optionFailed(option: String, interface: String, Errno)
    /// The kernel refused every ring size down to the smallest block.
    case ringRefused(interface: String, Errno)
    /// The ring could not be mapped into memory.
    case mapFailed(interface: String, Errno)
    /// `bind()` to the interface failed.
    case bindFailed(interface: String, Errno)
    /// Reading the interface's MTU failed.
    case interfaceQueryFailed(interface: String, Errno)
    /// The configuration asks for something the ring cannot do.
    case invalidConfiguration(String)

    /// One line for the operator.
    public var description: String {
        switch self {
        case .interfaceNotFound(let name):
            return "interface '\(name)' does not exist: check the name with `ip link`"
        case .socketFailed(let error) where error == .notPermitted || error == .permissionDenied:
            return "cannot open a packet socket (\(error)): run as root or grant CAP_NET_RAW"
        case .socketFailed(let error):
            return "cannot open a packet socket: \(error)"
        case .optionFailed(let option, let interface, let error):
            return "interface '\(interface)': the kernel refused \(option): \(error)"
        case .ringRefused(let interface, let error):
            return "interface '\(interface)': the kernel refused the packet ring (\(error)): use fewer frames"
        case .mapFailed(let interface, let error):
            return "interface '\(interface)': cannot map the packet ring (\(error)): use fewer frames"
        case .bindFailed(let interface, let error):
            return "interface '\(interface)': cannot bind a packet socket: \(error)"
        case .interfaceQueryFailed(let interface, let error):
            return "interface '\(interface)': cannot read its settings: \(error)"
        case .invalidConfiguration(let text):
            return "invalid packet ring configuration: \(text)"
        }
    }
}
