import CLinuxShim
import Glibc
import Operations
import Platform

/// The probe's steps (a type, so nothing here is isolated to the main actor the way top-level
/// code in main.swift is).
enum Probe {
    static let experimentalEtherType: UInt16 = 0x88b5

    static func run(_ arguments: [String]) -> Int32 {
        guard arguments.count >= 2 else {
            print("usage: bk-privdrop-probe USER [--spawn-thread]")
            return 64
        }
        if arguments.contains("--spawn-thread") { spawnSleeper() }
        // Opened as root, before the drop: it must keep working afterwards.
        let early = packetSocket(interface: "lo", protocol: experimentalEtherType)
        report("early_socket", early >= 0 ? "ok" : "\(Errno.current)")
        do {
            let dropped = try PrivilegeDrop.drop(to: arguments[1])
            report("drop", "ok")
            report("kept", dropped.kept.description)
            report("bounding_set_limited", dropped.boundingSetLimited ? "yes" : "no")
        } catch {
            report("drop_error", error.description)
            return 2
        }
        reportStatus()
        // CAP_NET_RAW: a new AF_PACKET socket.
        let late = packetSocket(interface: "lo", protocol: experimentalEtherType)
        report("new_packet_socket", late >= 0 ? "ok" : "\(Errno.current)")
        if early >= 0 { sendThroughEarlySocket(early, seenBy: late) }
        // CAP_NET_ADMIN: SIOCSIFMTU on lo, to the MTU it already has.
        let control = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var mtu: Int32 = 0
        if cls_interface_get_mtu(control, "lo", &mtu) == 0 {
            report("net_admin_set_mtu", outcome(cls_interface_set_mtu(control, "lo", mtu)))
        }
        // Lost: CAP_SYS_ADMIN (a new UTS namespace), CAP_SETUID (root again), CAP_DAC_OVERRIDE.
        report("sys_admin_unshare_uts", outcome(cls_unshare(0x0400_0000)))
        report("setuid_root", outcome(setuid(0)))
        let shadow = open("/etc/shadow", O_RDONLY | O_CLOEXEC)
        report("read_etc_shadow", shadow >= 0 ? "ok" : "\(Errno.current)")
        return 0
    }

    static func report(_ key: String, _ value: String) {
        print("\(key)=\(value)")
    }

    static func outcome(_ status: Int32) -> String {
        status == 0 ? "ok" : "\(Errno.current)"
    }

    /// A second thread, so that the drop must refuse.
    static func spawnSleeper() {
        _ = try? PlatformThread.start(name: "bk-sleeper") { sleep(5) }
    }

    static func reportStatus() {
        guard let status = ProcessStatus.read() else { return }
        report("uid", status.uids.map(String.init).joined(separator: ","))
        report("gid", status.gids.map(String.init).joined(separator: ","))
        report("groups", status.groups.map(String.init).joined(separator: ","))
        report("cap_eff", String(status.effective.rawValue, radix: 16))
        report("cap_prm", String(status.permitted.rawValue, radix: 16))
        report("cap_inh", String(status.inheritable.rawValue, radix: 16))
        report("cap_amb", String(status.ambient.rawValue, radix: 16))
        report("cap_bnd", String(status.bounding.rawValue, radix: 16))
        report("no_new_privs", status.noNewPrivileges ? "1" : "0")
    }

    /// An AF_PACKET socket (CAP_NET_RAW when created), bound to `interface` for `etherType`.
    static func packetSocket(interface: String, protocol etherType: UInt16) -> Int32 {
        let fd = socket(
            AF_PACKET, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), Int32(etherType.bigEndian))
        guard fd >= 0 else { return -1 }
        var address = linkAddress(interface: interface, etherType: etherType)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_ll>.size))
            }
        }
        guard bound == 0 else {
            close(fd)
            return -1
        }
        return fd
    }

    static func linkAddress(interface: String, etherType: UInt16) -> sockaddr_ll {
        var address = sockaddr_ll()
        address.sll_family = UInt16(AF_PACKET)
        address.sll_protocol = etherType.bigEndian
        address.sll_ifindex = Int32(if_nametoindex(interface))
        address.sll_halen = 6
        return address
    }

    /// Sends a marked frame on lo through the socket opened before the drop; `late` must see it.
    static func sendThroughEarlySocket(_ early: Int32, seenBy late: Int32) {
        var frame = [UInt8](repeating: 0, count: 60)
        frame[12] = UInt8(experimentalEtherType >> 8)
        frame[13] = UInt8(experimentalEtherType & 0xff)
        let marker = (0..<16).map { _ in UInt8.random(in: 0...255) }
        frame.replaceSubrange(14..<30, with: marker)
        var destination = linkAddress(interface: "lo", etherType: experimentalEtherType)
        let sent = withUnsafePointer(to: &destination) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(early, frame, frame.count, 0, $0, socklen_t(MemoryLayout<sockaddr_ll>.size))
            }
        }
        report("early_socket_send", sent == frame.count ? "ok" : "\(Errno.current)")
        var seen = false
        if late >= 0 {
            var timeout = timeval(tv_sec: 1, tv_usec: 0)
            setsockopt(late, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var buffer = [UInt8](repeating: 0, count: 2048)
            for _ in 0..<8 {
                let count = recv(late, &buffer, buffer.count, 0)
                guard count >= 30 else { break }
                if Array(buffer[14..<30]) == marker {
                    seen = true
                    break
                }
            }
        }
        report("frame_seen", seen ? "yes" : "no")
    }
}
