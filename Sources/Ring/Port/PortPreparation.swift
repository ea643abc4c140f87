import Glibc
import Platform
import Synchronization

/// Readies interfaces to be bridge ports and puts everything back afterwards.
///
/// ``prepare(_:options:)`` refuses unusable ports (missing, given twice, carrying an IP address),
/// then on each port: sets `net.ipv6.conf.<port>.disable_ipv6=1` (so the host's own stack never
/// speaks on the segment), turns GRO/LRO/GSO/TSO off (they make frames larger than the MTU), and
/// brings the interface up. It remembers each old value; ``restore()`` puts them back, and is
/// safe to call any number of times and from any exit path. Deinit restores too, as a last resort.
///
/// Runs in the calling thread's network namespace.
public final class PortPreparation: @unchecked Sendable {
    /// One prepared port.
    public struct Port: Sendable, Equatable {
        /// Interface name.
        public let name: String
        /// Interface index.
        public let index: Int32
        /// The interface's MTU (size the rings with it).
        public let mtu: Int
    }

    /// What to change on the ports.
    public struct Options: Sendable, Equatable {
        /// Turn GRO, hardware GRO, LRO, GSO, TSO and TSO6 off. Default true.
        public var disableOffloads = true
        /// Set `disable_ipv6` on the ports. Default true.
        public var disableIPv6 = true
        /// Bring ports that are down up. Default true.
        public var bringUp = true

        /// The defaults.
        public init() {}
    }

    /// The ports, in the order given.
    public let ports: [Port]
    /// Things that work but the operator should know (one line each).
    public private(set) var warnings: [PortWarning] = []

    /// Changes to undo, newest last; nil once restored. Locked so `restore()` may race deinit or
    /// run from a signal-handling thread.
    private let undo = Mutex<[Change]?>([])

    private enum Change: Sendable {
        case broughtUp(port: String)
        case offloads(SavedOffloads)
        case ipv6(IPv6Switch)

        var port: String {
            switch self {
            case .broughtUp(let port): return port
            case .offloads(let saved): return saved.interface
            case .ipv6(let saved): return saved.interface
            }
        }

        var setting: String {
            switch self {
            case .broughtUp: return "the down state"
            case .offloads: return "offloads"
            case .ipv6: return "disable_ipv6"
            }
        }
    }

    /// The options the ports were prepared with, for ``reprepare(_:)``.
    private let options: Options

    private init(ports: [Port], options: Options) {
        self.ports = ports
        self.options = options
    }

    deinit {
        _ = restore()
    }

    /// Checks `names` and prepares each one; on any failure puts back what it already changed and
    /// throws the first problem found.
    public static func prepare(_ names: [String], options: Options = Options()) throws(PortSetupError)
        -> PortPreparation
    {
        guard !names.isEmpty else { throw .noPorts }
        var indices: [Int32] = []
        for name in names {
            guard let index = InterfaceControl.index(of: name) else { throw .missingInterface(name) }
            if indices.contains(index) { throw .sameInterfaceTwice(name) }
            indices.append(index)
        }
        for name in names {
            if let address = InterfaceAddresses.operatorAddresses(of: name).first {
                throw .addressed(port: name, address: address)
            }
        }
        let control: InterfaceControl
        do { control = try InterfaceControl() } catch { throw .controlSocketFailed(error) }

        var ports: [Port] = []
        for (name, index) in zip(names, indices) {
            do {
                ports.append(Port(name: name, index: index, mtu: try control.mtu(of: name)))
            } catch {
                throw .cannotQuery(port: name, error)
            }
        }
        let preparation = PortPreparation(ports: ports, options: options)
        do {
            for port in ports {
                try preparation.apply(options, to: port.name, control: control)
            }
        } catch {
            _ = preparation.restore()
            throw error
        }
        if let first = ports.first {
            for other in ports.dropFirst() where other.mtu != first.mtu {
                preparation.warnings.append(
                    .mtuMismatch(port: first.name, mtu: first.mtu, otherPort: other.name, otherMTU: other.mtu))
            }
        }
        return preparation
    }

    /// Prepares a port again after its interface was removed and created anew under the same name
    /// (the new interface starts with the kernel's defaults). Its changes are restored with the
    /// others by ``restore()``.
    public func reprepare(_ name: String) throws(PortSetupError) {
        guard InterfaceControl.index(of: name) != nil else { throw .missingInterface(name) }
        if let address = InterfaceAddresses.operatorAddresses(of: name).first {
            throw .addressed(port: name, address: address)
        }
        let control: InterfaceControl
        do { control = try InterfaceControl() } catch { throw .controlSocketFailed(error) }
        try apply(options, to: name, control: control)
    }

    private func apply(_ options: Options, to name: String, control: InterfaceControl) throws(PortSetupError) {
        if options.disableIPv6 {
            do {
                if let saved = try IPv6Switch.disable(on: name) { record(.ipv6(saved)) }
            } catch {
                throw .cannotDisableIPv6(port: name, error)
            }
        }
        if options.disableOffloads {
            do {
                let result = try SavedOffloads.disableCoalescing(on: name, control: control)
                record(.offloads(result.saved))
                if !result.stillActive.isEmpty {
                    warnings.append(.offloadsStillActive(port: name, features: result.stillActive))
                }
            } catch {
                throw .cannotChangeOffloads(port: name, error)
            }
        }
        if options.bringUp {
            do {
                let flags = try control.flags(of: name)
                if flags & InterfaceFlag.up == 0 {
                    try control.setFlags(flags | InterfaceFlag.up, of: name)
                    record(.broughtUp(port: name))
                }
            } catch {
                throw .cannotBringUp(port: name, error)
            }
        }
    }

    private func record(_ change: Change) {
        undo.withLock { $0?.append(change) }
    }

    /// Puts back every setting ``prepare(_:options:)`` changed, newest first. The first call does
    /// the work; later calls do nothing and return no failures. An interface that no longer exists
    /// is skipped (its settings left with it).
    @discardableResult
    public func restore() -> [PortRestoreFailure] {
        guard
            let changes = undo.withLock({ changes in
                defer { changes = nil }
                return changes
            })
        else { return [] }
        guard let control = try? InterfaceControl() else {
            return [
                PortRestoreFailure(
                    port: ports.map(\.name).joined(separator: ","), setting: "any setting", error: .current)
            ]
        }
        var failures: [PortRestoreFailure] = []
        for change in changes.reversed() {
            do throws(Errno) {
                switch change {
                case .broughtUp(let port):
                    guard InterfaceControl.index(of: port) != nil else { continue }
                    let flags = try control.flags(of: port)
                    try control.setFlags(flags & ~InterfaceFlag.up, of: port)
                case .offloads(let saved):
                    guard InterfaceControl.index(of: saved.interface) != nil else { continue }
                    try saved.restore(control: control)
                case .ipv6(let saved):
                    guard InterfaceControl.index(of: saved.interface) != nil else { continue }
                    try saved.restore()
                }
            } catch {
                failures.append(PortRestoreFailure(port: change.port, setting: change.setting, error: error))
            }
        }
        return failures
    }
}
