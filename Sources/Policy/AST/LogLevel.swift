/// nft's `log level`: how severe a rule's log line is. Without one a line is logged at `info`.
public enum LogLevel: String, Sendable, Hashable, CaseIterable {
    case emerg
    case alert
    case crit
    case err
    case warn
    case notice
    case info
    case debug
}

/// nft's `log flags`: what the kernel adds to a log line. Bridgekeeper's line always carries the
/// frame's addresses, ports and flags, so each is accepted and changes nothing.
public enum LogFlag: String, Sendable, Hashable, CaseIterable {
    case all
    case ether
    case skuid
    /// `tcp sequence`, `tcp options`, `tcp sequence,options`.
    case tcp
    /// `ip options`.
    case ip
}
