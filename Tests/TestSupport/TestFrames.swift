/// Raw Ethernet frames for tests, each carrying a marker so background traffic never matches.
public enum TestFrames {
    /// IEEE 802 local experimental EtherType: nothing on the host speaks it.
    public static let experimentalType: UInt16 = 0x88b5
    public static let destination: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0xbb, 0x01]
    public static let source: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0xaa, 0x01]

    /// A frame of exactly `length` bytes: MACs, `tags` (TPID, TCI) in order, the experimental
    /// EtherType, then `marker` and a counting pattern.
    public static func frame(length: Int, marker: UInt8, tags: [(tpid: UInt16, tci: UInt16)] = []) -> [UInt8] {
        var bytes = destination + source
        for tag in tags { bytes += bigEndian(tag.tpid) + bigEndian(tag.tci) }
        bytes += bigEndian(experimentalType)
        bytes.append(marker)
        var value: UInt8 = 0
        while bytes.count < length {
            bytes.append(value)
            value &+= 1
        }
        return bytes
    }

    /// True for frames built by ``frame(length:marker:tags:)`` with `marker`, tagged or not.
    public static func isMarked(_ frame: [UInt8], _ marker: UInt8) -> Bool {
        var offset = 12
        while offset + 4 <= frame.count {
            let type = UInt16(frame[offset]) << 8 | UInt16(frame[offset + 1])
            if type == experimentalType { return frame[offset + 2] == marker }
            guard type == 0x8100 || type == 0x88a8 || type == 0x9100 else { return false }
            offset += 4
        }
        return false
    }

    public static func bigEndian(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xff)] }
}

extension TestFrames {
    /// An Ethernet/IPv4/UDP frame from 198.18.0.1 to 198.18.0.2 with these ports and a marker
    /// byte as payload, padded to 60 bytes.
    public static func udp(sourcePort: UInt16, destinationPort: UInt16, marker: UInt8) -> [UInt8] {
        var ip: [UInt8] = [0x45, 0, 0, 29, 0, 0, 0x40, 0, 64, 17, 0, 0, 198, 18, 0, 1, 198, 18, 0, 2]
        var sum: UInt32 = 0
        for index in stride(from: 0, to: ip.count, by: 2) { sum += UInt32(ip[index]) << 8 | UInt32(ip[index + 1]) }
        while sum > 0xffff { sum = (sum & 0xffff) + (sum >> 16) }
        let checksum = ~UInt16(sum)
        ip[10] = UInt8(checksum >> 8)
        ip[11] = UInt8(checksum & 0xff)
        let udp = bigEndian(sourcePort) + bigEndian(destinationPort) + [0, 9, 0, 0, marker]
        var frame = destination + source + bigEndian(0x0800) + ip + udp
        while frame.count < 60 { frame.append(0) }
        return frame
    }

    /// True for frames built by ``udp(sourcePort:destinationPort:marker:)`` with `marker`.
    public static func isMarkedUDP(_ frame: [UInt8], _ marker: UInt8) -> Bool {
        frame.count >= 43 && frame[12] == 0x08 && frame[13] == 0x00 && frame[23] == 17 && frame[42] == marker
    }
}
