import Ring
import Ruleset
import Synchronization

/// The packet sockets behind `mirror "IF"` statements, one per monitor interface, kept open
/// across reloads for as long as some policy names the interface.
final class MonitorSockets: @unchecked Sendable {
    private let open = Mutex<[String: PacketSocket]>([:])

    /// Sockets for the monitor interfaces `policy` names, in its index order; throws for an
    /// interface that cannot be opened (missing, say), leaving the earlier set untouched.
    func ports(for policy: CompiledPolicy) throws(BridgeError) -> MonitorPorts {
        var sockets: [PacketSocket?] = []
        for name in policy.mirrorInterfaces {
            if let existing = open.withLock({ $0[name] }) {
                sockets.append(existing)
                continue
            }
            // Transmit only: no promiscuous mode, and the smallest receive ring the kernel allows.
            var configuration = PacketSocketConfiguration()
            configuration.frameCount = 1
            configuration.promiscuous = false
            do {
                let socket = try PacketSocket(interface: name, configuration: configuration)
                open.withLock { $0[name] = socket }
                sockets.append(socket)
            } catch {
                throw .monitor(interface: name, error)
            }
        }
        return MonitorPorts(sockets: sockets)
    }

    /// Closes every monitor socket (at exit).
    func closeAll() {
        open.withLock { sockets in
            for socket in sockets.values { socket.close() }
            sockets = [:]
        }
    }
}
