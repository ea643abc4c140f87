/// Big-endian loads and stores at byte offsets, with no alignment requirement.
///
/// These do no bounds checking of their own: every caller checks once per header that the
/// bytes it reads are inside the frame, then reads the fields with these.
extension UnsafeRawPointer {
    @inline(__always)
    func u8(_ offset: Int) -> UInt8 {
        load(fromByteOffset: offset, as: UInt8.self)
    }

    @inline(__always)
    func be16(_ offset: Int) -> UInt16 {
        UInt16(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inline(__always)
    func be32(_ offset: Int) -> UInt32 {
        UInt32(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inline(__always)
    func be64(_ offset: Int) -> UInt64 {
        UInt64(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// A 6-byte MAC address as the low 48 bits.
    @inline(__always)
    func mac(_ offset: Int) -> UInt64 {
        UInt64(be32(offset)) << 16 | UInt64(be16(offset + 4))
    }

    /// A 16-byte IPv6 address.
    @inline(__always)
    func be128(_ offset: Int) -> UInt128 {
        UInt128(be64(offset)) << 64 | UInt128(be64(offset + 8))
    }
}

extension UnsafeMutableRawPointer {
    @inline(__always)
    func storeU8(_ value: UInt8, at offset: Int) {
        storeBytes(of: value, toByteOffset: offset, as: UInt8.self)
    }

    @inline(__always)
    func storeBE16(_ value: UInt16, at offset: Int) {
        storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt16.self)
    }

    @inline(__always)
    func storeBE32(_ value: UInt32, at offset: Int) {
        storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt32.self)
    }

    @inline(__always)
    func storeBE64(_ value: UInt64, at offset: Int) {
        storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt64.self)
    }

    /// Stores the low 48 bits as a 6-byte MAC address.
    @inline(__always)
    func storeMAC(_ value: UInt64, at offset: Int) {
        storeBE32(UInt32(truncatingIfNeeded: value >> 16), at: offset)
        storeBE16(UInt16(truncatingIfNeeded: value), at: offset + 4)
    }

    @inline(__always)
    func storeBE128(_ value: UInt128, at offset: Int) {
        storeBE64(UInt64(truncatingIfNeeded: value >> 64), at: offset)
        storeBE64(UInt64(truncatingIfNeeded: value), at: offset + 8)
    }
}
