import CLinuxShim
import Glibc

/// A plain (ring-less) AF_PACKET socket for tests: injects raw frames into an interface and
/// captures what arrives on one, independent of the code under test.
public final class PlainPacketSocket {
    public let fd: Int32

    /// Binds to `interface`. `outgoingToo` also captures frames the host sends there.
    public init(interface: String) throws {
        let index = Int32(bitPattern: if_nametoindex(interface))
        guard index != 0 else { throw TestFailure("no interface \(interface)") }
        fd = socket(
            AF_PACKET, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), Int32(UInt16(ETH_P_ALL).bigEndian))
        guard fd >= 0 else { throw TestFailure("socket: errno \(errno)") }
        var address = sockaddr_ll()
        address.sll_family = UInt16(AF_PACKET)
        address.sll_protocol = UInt16(ETH_P_ALL).bigEndian
        address.sll_ifindex = index
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_ll>.size))
            }
        }
        guard result == 0 else { throw TestFailure("bind \(interface): errno \(errno)") }
        var on: Int32 = 1
        setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &on, socklen_t(MemoryLayout<Int32>.size))
        // A burst of thousands of frames must not overflow the capture's own queue (the default
        // holds a few hundred small frames): a lost capture would read as a frame the bridge lost.
        var buffer: Int32 = 16 << 20
        setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buffer, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close(fd) }

    /// Sends one frame as is.
    public func send(_ frame: [UInt8]) throws {
        guard try sendUnlessFull(frame) else { throw TestFailure("send: the socket's buffer is full") }
    }

    /// Sends `frame`; false when the socket's buffer is full (ENOBUFS, EAGAIN), which a test
    /// flooding the link expects; any other failure throws.
    public func sendUnlessFull(_ frame: [UInt8]) throws -> Bool {
        let sent = frame.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
        if sent == frame.count { return true }
        let code = errno
        if sent < 0 && (code == ENOBUFS || code == EAGAIN) { return false }
        throw TestFailure("send: \(sent < 0 ? "errno \(code)" : "sent \(sent) of \(frame.count) bytes")")
    }

    /// Frames received (incoming only) within `timeout` seconds that satisfy `matching`, until
    /// `count` have arrived. A VLAN tag the kernel stripped is put back from PACKET_AUXDATA, the way
    /// libpcap does it.
    public func receive(count: Int = 1, timeout: Double = 2, matching: ([UInt8]) -> Bool) -> [[UInt8]] {
        var frames: [[UInt8]] = []
        let deadline = monotonicSeconds() + timeout
        while frames.count < count {
            let remaining = deadline - monotonicSeconds()
            guard remaining > 0 else { break }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, Int32(remaining * 1000) + 1) > 0 else { continue }
            guard let frame = receiveOne(), matching(frame) else { continue }
            frames.append(frame)
        }
        return frames
    }

    private func receiveOne() -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 70_000)
        var control = [UInt8](repeating: 0, count: 256)
        var address = sockaddr_ll()
        let received = buffer.withUnsafeMutableBytes { bytes in
            control.withUnsafeMutableBytes { controlBytes in
                withUnsafeMutablePointer(to: &address) { addressPointer in
                    var vector = iovec(iov_base: bytes.baseAddress, iov_len: bytes.count)
                    return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                        var message = msghdr()
                        message.msg_name = UnsafeMutableRawPointer(addressPointer)
                        message.msg_namelen = socklen_t(MemoryLayout<sockaddr_ll>.size)
                        message.msg_iov = vectorPointer
                        message.msg_iovlen = 1
                        message.msg_control = controlBytes.baseAddress
                        message.msg_controllen = controlBytes.count
                        let count = recvmsg(fd, &message, Int32(MSG_DONTWAIT))
                        return (count, message.msg_controllen)
                    }
                }
            }
        }
        guard received.0 > 0, address.sll_pkttype != UInt8(PACKET_OUTGOING) else { return nil }
        var frame = Array(buffer[0..<received.0])
        // One cmsghdr (len: size_t, level: int, type: int) then tpacket_auxdata.
        let headerSize = MemoryLayout<Int>.size + 8
        if received.1 >= headerSize + MemoryLayout<tpacket_auxdata>.size {
            let level = control.withUnsafeBytes { $0.load(fromByteOffset: MemoryLayout<Int>.size, as: Int32.self) }
            let type = control.withUnsafeBytes { $0.load(fromByteOffset: MemoryLayout<Int>.size + 4, as: Int32.self) }
            if level == SOL_PACKET && type == PACKET_AUXDATA {
                let auxdata = control.withUnsafeBytes {
                    $0.loadUnaligned(fromByteOffset: headerSize, as: tpacket_auxdata.self)
                }
                if auxdata.tp_status & UInt32(TP_STATUS_VLAN_VALID) != 0, frame.count >= 12 {
                    let tpid =
                        auxdata.tp_status & UInt32(TP_STATUS_VLAN_TPID_VALID) != 0 ? auxdata.tp_vlan_tpid : 0x8100
                    frame.insert(
                        contentsOf: TestFrames.bigEndian(tpid) + TestFrames.bigEndian(auxdata.tp_vlan_tci), at: 12)
                }
            }
        }
        return frame
    }
}

public func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
