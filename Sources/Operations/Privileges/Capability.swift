/// A Linux capability the bridge cares about, by its kernel number (`linux/capability.h`).
public enum Capability: Int, CaseIterable, Sendable, CustomStringConvertible {
    case chown = 0
    case dacOverride = 1
    case dacReadSearch = 2
    case fowner = 3
    case kill = 5
    case setgid = 6
    case setuid = 7
    case setpcap = 8
    case netBindService = 10
    case netAdmin = 12
    case netRaw = 13
    case ipcLock = 14
    case sysModule = 16
    case sysRawio = 17
    case sysChroot = 18
    case sysPtrace = 19
    case sysAdmin = 21
    case sysResource = 24
    case sysTime = 25
    case mknod = 27
    case bpf = 39

    /// The name `capsh`, systemd and the man pages use (`CAP_NET_RAW`).
    public var description: String {
        switch self {
        case .chown: return "CAP_CHOWN"
        case .dacOverride: return "CAP_DAC_OVERRIDE"
        case .dacReadSearch: return "CAP_DAC_READ_SEARCH"
        case .fowner: return "CAP_FOWNER"
        case .kill: return "CAP_KILL"
        case .setgid: return "CAP_SETGID"
        case .setuid: return "CAP_SETUID"
        case .setpcap: return "CAP_SETPCAP"
        case .netBindService: return "CAP_NET_BIND_SERVICE"
        case .netAdmin: return "CAP_NET_ADMIN"
        case .netRaw: return "CAP_NET_RAW"
        case .ipcLock: return "CAP_IPC_LOCK"
        case .sysModule: return "CAP_SYS_MODULE"
        case .sysRawio: return "CAP_SYS_RAWIO"
        case .sysChroot: return "CAP_SYS_CHROOT"
        case .sysPtrace: return "CAP_SYS_PTRACE"
        case .sysAdmin: return "CAP_SYS_ADMIN"
        case .sysResource: return "CAP_SYS_RESOURCE"
        case .sysTime: return "CAP_SYS_TIME"
        case .mknod: return "CAP_MKNOD"
        case .bpf: return "CAP_BPF"
        }
    }
}

/// A set of capabilities as the kernel stores it: bit `n` is capability number `n`
/// (the same layout as `CapEff:` in `/proc/PID/status`).
public struct CapabilitySet: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// The set holding exactly `capability`.
    public init(_ capability: Capability) {
        rawValue = 1 << UInt64(capability.rawValue)
    }

    public static let netRaw = CapabilitySet(.netRaw)
    public static let netAdmin = CapabilitySet(.netAdmin)

    /// What the running bridge keeps after it drops to `--user`: AF_PACKET sockets (CAP_NET_RAW)
    /// and interface, nftables and sysctl changes (CAP_NET_ADMIN).
    public static let bridge: CapabilitySet = [.netRaw, .netAdmin]

    /// Whether capability number `number` is in the set.
    public func contains(number: Int) -> Bool {
        number >= 0 && number < 64 && rawValue & (1 << UInt64(number)) != 0
    }

    /// The capability numbers in the set, lowest first.
    public var numbers: [Int] {
        (0..<64).filter { contains(number: $0) }
    }

    /// `CAP_NET_ADMIN CAP_NET_RAW` (numbers for capabilities without a name here), or `none`.
    public var description: String {
        let names = numbers.map { number in Capability(rawValue: number)?.description ?? "cap_\(number)" }
        return names.isEmpty ? "none" : names.joined(separator: " ")
    }
}
