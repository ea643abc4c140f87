/// Why a capture file could not be read or written; each reads as one line saying what to do.
public enum CaptureError: Error, Sendable, Equatable, CustomStringConvertible {
    /// libpcap could not open the file; its message says why (missing, unreadable, not a pcap).
    case cannotOpen(path: String, reason: String)
    /// The capture's link type is not Ethernet.
    case notEthernet(path: String, linkType: String)
    /// The file could not be created or appended to.
    case cannotWrite(path: String, reason: String)
    /// A record in the file is damaged: where and how. The frames before it were read whole.
    case damaged(CaptureDamage)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            return "cannot read capture \(path): \(reason)"
        case .notEthernet(let path, let linkType):
            return
                "capture \(path) is not Ethernet (link type \(linkType)); convert it with editcap or capture on an Ethernet interface"
        case .cannotWrite(let path, let reason):
            return "cannot write capture \(path): \(reason)"
        case .damaged(let damage):
            return damage.description
        }
    }
}
