import Glibc
import Platform

/// Why the metrics endpoint cannot listen; each reads as one line saying what to do.
public enum MetricsError: Error, Sendable, Equatable, CustomStringConvertible {
    case badAddress(String, reason: String)
    case portInUse(String)
    case addressUnavailable(String)
    case permissionDenied(String)
    case cannotListen(String, errno: Errno)

    public var description: String {
        switch self {
        case .badAddress(let text, let reason):
            return "--metrics \(text): \(reason); write ADDR:PORT, [IPV6]:PORT or :PORT"
        case .portInUse(let address):
            return "--metrics \(address): the port is already in use; pick another port"
        case .addressUnavailable(let address):
            return "--metrics \(address): no interface of this host has that address"
        case .permissionDenied(let address):
            return "--metrics \(address): ports below 1024 need CAP_NET_BIND_SERVICE; use a higher port such as 9101"
        case .cannotListen(let address, let code):
            return "--metrics \(address): cannot listen: \(code)"
        }
    }
}
