import CLinuxShim

/// The shape of one packet ring: slots of `frameSize` bytes packed into `blockCount` blocks of
/// `blockSize` bytes (a slot never spans two blocks).
public struct RingGeometry: Sendable, Equatable {
    /// Bytes per slot, a multiple of 16.
    public let frameSize: Int
    /// Bytes per block, a multiple of the page size.
    public let blockSize: Int
    /// Number of blocks.
    public let blockCount: Int

    /// Creates a geometry; `blockSize` must be at least `frameSize`.
    public init(frameSize: Int, blockSize: Int, blockCount: Int) {
        self.frameSize = frameSize
        self.blockSize = blockSize
        self.blockCount = blockCount
    }

    /// Slots in one block.
    public var framesPerBlock: Int { blockSize / frameSize }
    /// Slots in the ring.
    public var frameCount: Int { framesPerBlock * blockCount }
    /// Bytes the ring maps.
    public var byteCount: Int { blockSize * blockCount }

    /// The block size tried first: 128 KiB (page << 5), as Suricata and libdaq use.
    public static let preferredBlockSize = 128 * 1024

    /// Receive slot size for frames of up to `mtu` bytes of payload plus an Ethernet header and
    /// two VLAN tags, after the TPACKET_V2 header and `headroom` (`PACKET_RESERVE`) bytes.
    public static func receiveFrameSize(mtu: Int, headroom: Int) -> Int {
        let header = Int(cls_tpacket_align(cls_tpacket2_hdrlen()))
        return align(header + headroom + mtu + 14 + 8)
    }

    /// Transmit slot size for frames of up to `mtu` bytes of payload plus an Ethernet header and
    /// two VLAN tags.
    public static func transmitFrameSize(mtu: Int) -> Int {
        align(Int(cls_tpacket2_tx_data_offset()) + mtu + 14 + 8)
    }

    /// Block sizes to try, largest first: 128 KiB, then halving down to the smallest whole number
    /// of pages that still holds one slot (the kernel may refuse large blocks with ENOMEM).
    public static func blockSizeCandidates(frameSize: Int, pageSize: Int) -> [Int] {
        let smallest = (frameSize + pageSize - 1) / pageSize * pageSize
        var candidates: [Int] = []
        var size = max(preferredBlockSize, smallest)
        while size >= smallest {
            candidates.append(size)
            if size == smallest { break }
            size = max(size / 2, smallest)
        }
        return candidates
    }

    /// The geometry with blocks of `blockSize` that holds at least `frameCount` slots.
    public static func covering(frameCount: Int, frameSize: Int, blockSize: Int) -> RingGeometry {
        let perBlock = max(blockSize / frameSize, 1)
        let blocks = max((frameCount + perBlock - 1) / perBlock, 1)
        return RingGeometry(frameSize: frameSize, blockSize: blockSize, blockCount: blocks)
    }

    static func align(_ value: Int) -> Int {
        Int(cls_tpacket_align(UInt32(value)))
    }
}
