/// Appends big-endian fields to a byte array; the builder's only way of writing bytes.
struct ByteWriter {
    private(set) var output: [UInt8] = []

    var count: Int { output.count }

    mutating func u8(_ value: UInt8) { output.append(value) }

    mutating func u16(_ value: UInt16) {
        output.append(UInt8(truncatingIfNeeded: value >> 8))
        output.append(UInt8(truncatingIfNeeded: value))
    }

    mutating func u32(_ value: UInt32) {
        u16(UInt16(truncatingIfNeeded: value >> 16))
        u16(UInt16(truncatingIfNeeded: value))
    }

    mutating func mac(_ value: UInt64) {
        u16(UInt16(truncatingIfNeeded: value >> 32))
        u32(UInt32(truncatingIfNeeded: value))
    }

    mutating func u128(_ value: UInt128) {
        u32(UInt32(truncatingIfNeeded: value >> 96))
        u32(UInt32(truncatingIfNeeded: value >> 64))
        u32(UInt32(truncatingIfNeeded: value >> 32))
        u32(UInt32(truncatingIfNeeded: value))
    }

    mutating func bytes(_ values: [UInt8]) { output.append(contentsOf: values) }

    mutating func zeros(_ count: Int) { output.append(contentsOf: repeatElement(0, count: count)) }

    /// Overwrites the 16-bit field at `offset`.
    mutating func patch16(_ value: UInt16, at offset: Int) {
        output[offset] = UInt8(truncatingIfNeeded: value >> 8)
        output[offset + 1] = UInt8(truncatingIfNeeded: value)
    }

    /// The unfolded Internet checksum sum over `output[range]`.
    func sum(_ range: Range<Int>) -> UInt64 {
        output.withUnsafeBytes { InternetChecksum.add(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }
}
