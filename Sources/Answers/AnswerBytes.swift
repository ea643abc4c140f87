/// Big-endian loads and stores at byte offsets for the answer writers, with no alignment
/// requirement and no bounds checks: every caller has checked the lengths first.
extension UnsafeRawPointer {
    @inline(__always)
    func answerLoad8(_ offset: Int) -> UInt8 {
        load(fromByteOffset: offset, as: UInt8.self)
    }

    @inline(__always)
    func answerLoad16(_ offset: Int) -> UInt16 {
        UInt16(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inline(__always)
    func answerLoad32(_ offset: Int) -> UInt32 {
        UInt32(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
}

extension UnsafeMutableRawPointer {
    @inline(__always)
    func answerStore8(_ value: UInt8, at offset: Int) {
        storeBytes(of: value, toByteOffset: offset, as: UInt8.self)
    }

    @inline(__always)
    func answerStore16(_ value: UInt16, at offset: Int) {
        storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt16.self)
    }

    @inline(__always)
    func answerStore32(_ value: UInt32, at offset: Int) {
        storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt32.self)
    }

    /// Stores the low 48 bits as a 6-byte MAC address.
    @inline(__always)
    func answerStoreMAC(_ value: UInt64, at offset: Int) {
        answerStore32(UInt32(truncatingIfNeeded: value >> 16), at: offset)
        answerStore16(UInt16(truncatingIfNeeded: value), at: offset + 4)
    }

    @inline(__always)
    func answerStore128(_ value: UInt128, at offset: Int) {
        storeBytes(of: UInt64(truncatingIfNeeded: value >> 64).bigEndian, toByteOffset: offset, as: UInt64.self)
        storeBytes(of: UInt64(truncatingIfNeeded: value).bigEndian, toByteOffset: offset + 8, as: UInt64.self)
    }
}
