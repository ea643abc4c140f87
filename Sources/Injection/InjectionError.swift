import Capture
import Platform
import Ring

/// Why an injection or generation run could not start, or ended early.
///
/// Every case's ``description`` is one line that says what went wrong and, where the operator can
/// fix it, what to do.
public enum InjectionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The capture could not be read (missing, not a capture, not Ethernet, damaged).
    case capture(CaptureError)
    /// The port's packet socket could not be opened.
    case port(RingError)
    /// A transmit thread could not be pinned to its CPU.
    case pinning(CPUAffinity.Failure)
    /// A transmit thread could not be started.
    case threadFailed(Errno)
    /// The interface went down or away while frames were being sent.
    case linkDown(interface: String)
    /// The kernel refused to send (an error other than "no room"), so the thread stopped.
    case sendFailed(interface: String, Errno)
    /// The TX ring did not drain for this many seconds, so the thread stopped.
    case stalled(interface: String, seconds: Int)

    /// One line for the operator.
    public var description: String {
        switch self {
        case .capture(let error):
            return error.description
        case .port(let error):
            return error.description
        case .pinning(let error):
            return error.description
        case .threadFailed(let error):
            return "cannot start a transmit thread: \(error)"
        case .linkDown(let interface):
            return "interface '\(interface)' went down: sending stopped; bring it up with `ip link set \(interface) up`"
        case .sendFailed(let interface, let error):
            return "interface '\(interface)': the kernel refused to send (\(error)): sending stopped"
        case .stalled(let interface, let seconds):
            return "interface '\(interface)': nothing left the TX ring for \(seconds) s: sending stopped; "
                + "check the link with `ip link show \(interface)`"
        }
    }
}
