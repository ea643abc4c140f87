import CLinuxShim
import Glibc
import Platform

/// What opening a packet socket produced: the configured fd, its mapped rings and their shapes.
struct OpenedPacketSocket {
    var fileDescriptor: Int32
    var interfaceIndex: Int32
    var mtu: Int
    var mapping: UnsafeMutableRawPointer
    var mappingLength: Int
    var receiveGeometry: RingGeometry
    var transmitGeometry: RingGeometry?
    var kernelIgnoresOutgoing: Bool
}

/// Opens and configures an AF_PACKET socket in the order that avoids the startup race: socket with
/// protocol 0 (receives nothing), every option and both rings, map, then bind to the interface with
/// ETH_P_ALL, then join the fanout group (which needs a bound socket).
enum PacketSocketSetup {
    static func open(interface name: String, configuration: PacketSocketConfiguration) throws(RingError)
        -> OpenedPacketSocket
    {
        try validate(configuration)
        let index = Int32(bitPattern: if_nametoindex(name))
        guard index != 0 else { throw .interfaceNotFound(name) }
        let fd = socket(AF_PACKET, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .socketFailed(.current) }
        var mapping: (pointer: UnsafeMutableRawPointer, length: Int)?
        do throws(RingError) {
            var mtu = configuration.mtu ?? 0
            if configuration.mtu == nil { mtu = try interfaceMTU(fd: fd, name: name) }
            let options = SocketOptions(fd: fd, interface: name)
            try options.set(SOL_PACKET, PACKET_VERSION, versionValue(configuration.version), "PACKET_VERSION")
            try options.set(SOL_PACKET, PACKET_RESERVE, UInt32(configuration.headroom), "PACKET_RESERVE")
            var kernelIgnoresOutgoing = false
            if configuration.ignoreOutgoing {
                kernelIgnoresOutgoing = try options.setIfSupported(
                    SOL_PACKET, PACKET_IGNORE_OUTGOING, Int32(1), "PACKET_IGNORE_OUTGOING")
            }
            if configuration.qdiscBypass {
                try options.set(SOL_PACKET, PACKET_QDISC_BYPASS, Int32(1), "PACKET_QDISC_BYPASS")
            }
            if configuration.stampOnArrival {
                try options.set(SOL_SOCKET, SO_TIMESTAMPNS, Int32(1), "SO_TIMESTAMPNS")
            }
            if configuration.transmitFrameCount > 0 {
                try options.set(SOL_PACKET, PACKET_LOSS, Int32(1), "PACKET_LOSS")
            }
            let receive = try setUpReceiveRing(options, configuration: configuration, mtu: mtu)
            var transmit: RingGeometry?
            if configuration.transmitFrameCount > 0 {
                transmit = try setUpTransmitRing(options, frameCount: configuration.transmitFrameCount, mtu: mtu)
            }
            let length = receive.byteCount + (transmit?.byteCount ?? 0)
            mapping = (try mapRings(fd: fd, length: length, interface: name), length)
            if configuration.promiscuous {
                var request = packet_mreq()
                request.mr_ifindex = index
                request.mr_type = UInt16(PACKET_MR_PROMISC)
                try options.set(SOL_PACKET, PACKET_ADD_MEMBERSHIP, request, "PACKET_ADD_MEMBERSHIP promiscuous")
            }
            try bind(fd: fd, index: index, interface: name)
            if let group = configuration.fanoutGroup {
                let value = Int32(PACKET_FANOUT_HASH) << 16 | Int32(group)
                try options.set(SOL_PACKET, PACKET_FANOUT, value, "PACKET_FANOUT")
            }
            return OpenedPacketSocket(
                fileDescriptor: fd, interfaceIndex: index, mtu: mtu, mapping: mapping!.pointer,
                mappingLength: length, receiveGeometry: receive, transmitGeometry: transmit,
                kernelIgnoresOutgoing: kernelIgnoresOutgoing)
        } catch {
            if let mapping { munmap(mapping.pointer, mapping.length) }
            Glibc.close(fd)
            throw error
        }
    }

    static func validate(_ configuration: PacketSocketConfiguration) throws(RingError) {
        guard configuration.frameCount > 0 else { throw .invalidConfiguration("frameCount must be positive") }
        guard configuration.transmitFrameCount >= 0 else {
            throw .invalidConfiguration("transmitFrameCount must not be negative")
        }
        guard (0...4096).contains(configuration.headroom) else {
            throw .invalidConfiguration("headroom must be 0...4096 bytes")
        }
        if let mtu = configuration.mtu, !(68...65535).contains(mtu) {
            throw .invalidConfiguration("mtu must be 68...65535")
        }
        if case .v3(let timeout) = configuration.version {
            guard timeout > 0 else { throw .invalidConfiguration("the V3 block timeout must be positive") }
            guard configuration.transmitFrameCount == 0 else {
                throw .invalidConfiguration("a TX ring needs TPACKET_V2 (version .v2)")
            }
        }
    }

    static func interfaceMTU(fd: Int32, name: String) throws(RingError) -> Int {
        var mtu: Int32 = 0
        guard cls_interface_get_mtu(fd, name, &mtu) == 0 else {
            throw .interfaceQueryFailed(interface: name, .current)
        }
        return Int(mtu)
    }

    static func versionValue(_ version: PacketSocketConfiguration.Version) -> Int32 {
        switch version {
        case .v2: return Int32(TPACKET_V2.rawValue)
        case .v3: return Int32(TPACKET_V3.rawValue)
        }
    }

    /// Sets PACKET_RX_RING, halving the block size while the kernel answers ENOMEM.
    static func setUpReceiveRing(
        _ options: SocketOptions, configuration: PacketSocketConfiguration, mtu: Int
    ) throws(RingError) -> RingGeometry {
        let frameSize = RingGeometry.receiveFrameSize(mtu: mtu, headroom: configuration.headroom)
        var lastError = Errno(rawValue: ENOMEM)
        for blockSize in RingGeometry.blockSizeCandidates(frameSize: frameSize, pageSize: pageSize) {
            let geometry = RingGeometry.covering(
                frameCount: configuration.frameCount, frameSize: frameSize, blockSize: blockSize)
            let result: Errno?
            switch configuration.version {
            case .v2:
                result = options.trySet(SOL_PACKET, PACKET_RX_RING, request(geometry))
            case .v3(let timeout):
                var v3 = tpacket_req3()
                v3.tp_block_size = UInt32(geometry.blockSize)
                v3.tp_block_nr = UInt32(geometry.blockCount)
                v3.tp_frame_size = UInt32(geometry.frameSize)
                v3.tp_frame_nr = UInt32(geometry.frameCount)
                v3.tp_retire_blk_tov = UInt32(timeout)
                result = options.trySet(SOL_PACKET, PACKET_RX_RING, v3)
            }
            guard let error = result else { return geometry }
            guard error == .noMemory else { throw .ringRefused(interface: options.interface, error) }
            lastError = error
        }
        throw .ringRefused(interface: options.interface, lastError)
    }

    /// Sets PACKET_TX_RING (TPACKET_V2), halving the block size while the kernel answers ENOMEM.
    static func setUpTransmitRing(_ options: SocketOptions, frameCount: Int, mtu: Int) throws(RingError)
        -> RingGeometry
    {
        let frameSize = RingGeometry.transmitFrameSize(mtu: mtu)
        var lastError = Errno(rawValue: ENOMEM)
        for blockSize in RingGeometry.blockSizeCandidates(frameSize: frameSize, pageSize: pageSize) {
            let geometry = RingGeometry.covering(frameCount: frameCount, frameSize: frameSize, blockSize: blockSize)
            guard let error = options.trySet(SOL_PACKET, PACKET_TX_RING, request(geometry)) else { return geometry }
            guard error == .noMemory else { throw .ringRefused(interface: options.interface, error) }
            lastError = error
        }
        throw .ringRefused(interface: options.interface, lastError)
    }

    static func request(_ geometry: RingGeometry) -> tpacket_req {
        tpacket_req(
            tp_block_size: UInt32(geometry.blockSize), tp_block_nr: UInt32(geometry.blockCount),
            tp_frame_size: UInt32(geometry.frameSize), tp_frame_nr: UInt32(geometry.frameCount))
    }

    /// Maps both rings, locked in memory when the limits allow it, unlocked otherwise.
    static func mapRings(fd: Int32, length: Int, interface: String) throws(RingError) -> UnsafeMutableRawPointer {
        let protection = PROT_READ | PROT_WRITE
        if let locked = mmap(nil, length, protection, MAP_SHARED | MAP_LOCKED, fd, 0),
            Int(bitPattern: locked) != -1
        {
            return locked
        }
        if let unlocked = mmap(nil, length, protection, MAP_SHARED, fd, 0), Int(bitPattern: unlocked) != -1 {
            return unlocked
        }
        throw .mapFailed(interface: interface, .current)
    }

    static func bind(fd: Int32, index: Int32, interface: String) throws(RingError) {
        var address = sockaddr_ll()
        address.sll_family = UInt16(AF_PACKET)
        address.sll_protocol = UInt16(ETH_P_ALL).bigEndian
        address.sll_ifindex = index
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_ll>.size))
            }
        }
        guard result == 0 else { throw .bindFailed(interface: interface, .current) }
    }

    static var pageSize: Int { Int(sysconf(Int32(_SC_PAGESIZE))) }
}

/// `setsockopt` on one socket, with errors that name the option and the interface.
struct SocketOptions {
    let fd: Int32
    let interface: String

    func trySet<Value: BitwiseCopyable>(_ level: Int32, _ option: Int32, _ value: Value) -> Errno? {
        let result = withUnsafeBytes(of: value) { bytes in
            setsockopt(fd, level, option, bytes.baseAddress, socklen_t(bytes.count))
        }
        return result == 0 ? nil : .current
    }

    func set<Value: BitwiseCopyable>(_ level: Int32, _ option: Int32, _ value: Value, _ name: String) throws(RingError)
    {
        if let error = trySet(level, option, value) {
            throw .optionFailed(option: name, interface: interface, error)
        }
    }

    /// Sets an option newer kernels have; returns false when this kernel does not know it.
    func setIfSupported<Value: BitwiseCopyable>(_ level: Int32, _ option: Int32, _ value: Value, _ name: String)
        throws(RingError)
        -> Bool
    {
        guard let error = trySet(level, option, value) else { return true }
        if error == .protocolNotAvailable { return false }
        throw .optionFailed(option: name, interface: interface, error)
    }
}
