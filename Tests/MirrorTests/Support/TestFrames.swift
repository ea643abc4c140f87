import CLinuxShim
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Raw Ethernet frames for the traffic tests, each carrying a marker (`BKMx` and a 32-bit id)
/// at its end so a receiver can tell which frames crossed.
struct TestFrame {
    var id: UInt32
    var source: [UInt8] = [0x02, 0, 0, 0, 0, 0x01]
    var destination: [UInt8] = [0x02, 0, 0, 0, 0, 0x02]
    /// (TPID, VID) from the outside in.
    var tags: [(UInt16, UInt16)] = []
    var network: Network

    enum Network {
        case ipv4(source: String, destination: String, l4: L4)
        case ipv6(source: String, destination: String, l4: L4)
        case arp(operation: UInt16, target: String = "198.18.0.2")
        case raw(etherType: UInt16)
    }

    enum L4 {
        case tcp(source: UInt16, destination: UInt16)
        case udp(source: UInt16, destination: UInt16)
        case icmp(type: UInt8)
    }

    var marker: [UInt8] { Array("BKMx".utf8) + Self.be32(id) }

    var bytes: [UInt8] {
        var frame = destination + source
        for (tpid, vid) in tags { frame += Self.be16(tpid) + Self.be16(vid) }
        switch network {
        case .ipv4(let source, let destination, let l4):
            let payload = transport(l4, icmpType: 8)
            var header: [UInt8] =
                [0x45, 0] + Self.be16(UInt16(20 + payload.count)) + [
                    0, 1, 0, 0, 64, protocolNumber(l4, v6: false), 0, 0,
                ]
            header += ipv4(source) + ipv4(destination)
            let sum = Self.checksum(header)
            header[10] = UInt8(sum >> 8)
            header[11] = UInt8(sum & 0xff)
            frame += Self.be16(0x0800) + header + payload
        case .ipv6(let source, let destination, let l4):
            let payload = transport(l4, icmpType: 128)
            frame += Self.be16(0x86dd) + [0x60, 0, 0, 0] + Self.be16(UInt16(payload.count))
            frame += [protocolNumber(l4, v6: true), 64] + ipv6(source) + ipv6(destination) + payload
        case .arp(let operation, let target):
            frame += Self.be16(0x0806) + [0, 1, 0x08, 0, 6, 4] + Self.be16(operation)
            frame += source + ipv4("198.18.0.1") + [0, 0, 0, 0, 0, 0] + ipv4(target) + marker
        case .raw(let etherType):
            frame += Self.be16(etherType) + [UInt8](repeating: 0, count: 46) + marker
        }
        return frame
    }

    private func transport(_ l4: L4, icmpType: UInt8) -> [UInt8] {
        switch l4 {
        case .tcp(let source, let destination):
            return Self.be16(source) + Self.be16(destination) + [
                0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0,
            ]
                + marker
        case .udp(let source, let destination):
            return Self.be16(source) + Self.be16(destination) + Self.be16(UInt16(8 + marker.count)) + [0, 0] + marker
        case .icmp(let type):
            return [type == 0 ? icmpType : type, 0, 0, 0, 0, 1, 0, 1] + marker
        }
    }

    private func protocolNumber(_ l4: L4, v6: Bool) -> UInt8 {
        switch l4 {
        case .tcp: return 6
        case .udp: return 17
        case .icmp: return v6 ? 58 : 1
        }
    }

    private func ipv4(_ text: String) -> [UInt8] { text.split(separator: ".").map { UInt8($0)! } }

    private func ipv6(_ text: String) -> [UInt8] {
        let value = P.ip6(text)
        return (0..<16).map { UInt8(truncatingIfNeeded: value >> UInt128(8 * (15 - $0))) }
    }

    static func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xff)] }
    static func be32(_ value: UInt32) -> [UInt8] { be16(UInt16(value >> 16)) + be16(UInt16(value & 0xffff)) }

    static func checksum(_ bytes: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        for index in stride(from: 0, to: bytes.count, by: 2) {
            sum += UInt32(bytes[index]) << 8 | UInt32(index + 1 < bytes.count ? bytes[index + 1] : 0)
        }
        while sum > 0xffff { sum = (sum & 0xffff) + (sum >> 16) }
        return ~UInt16(sum)
    }

    /// The marker ids found in received frames.
    static func ids(in frames: [[UInt8]]) -> Set<UInt32> {
        var ids: Set<UInt32> = []
        let tag = Array("BKMx".utf8)
        for frame in frames where frame.count >= 8 {
            for start in 0...(frame.count - 8) where Array(frame[start..<(start + 4)]) == tag {
                ids.insert(
                    UInt32(frame[start + 4]) << 24 | UInt32(frame[start + 5]) << 16 | UInt32(frame[start + 6]) << 8
                        | UInt32(frame[start + 7]))
            }
        }
        return ids
    }
}

/// An AF_PACKET socket bound to one interface (opened inside the interface's namespace).
final class PacketSocket: @unchecked Sendable {
    private let fd: Int32

    init(interface: String) throws {
        let protocolAll = UInt16(ETH_P_ALL).bigEndian
        fd = socket(AF_PACKET, Int32(SOCK_RAW.rawValue), Int32(protocolAll))
        guard fd >= 0 else { throw NamespaceError(message: "packet socket: errno \(errno)") }
        var address = sockaddr_ll()
        address.sll_family = UInt16(AF_PACKET)
        address.sll_protocol = protocolAll
        address.sll_ifindex = Int32(if_nametoindex(interface))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_ll>.size))
            }
        }
        guard address.sll_ifindex != 0, bound == 0 else {
            close(fd)
            throw NamespaceError(message: "bind packet socket to \(interface): errno \(errno)")
        }
    }

    deinit { close(fd) }

    func send(_ frame: [UInt8]) throws {
        let sent = frame.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
        guard sent == frame.count else { throw NamespaceError(message: "send: errno \(errno)") }
    }

    /// Every frame that arrives within `seconds`.
    func receive(for seconds: Double) -> [[UInt8]] {
        var frames: [[UInt8]] = []
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while Date() < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let wait = Int32(max(1, deadline.timeIntervalSinceNow * 1000))
            guard poll(&poller, 1, wait) > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count > 0 { frames.append(Array(buffer[0..<count])) }
        }
        return frames
    }
}
