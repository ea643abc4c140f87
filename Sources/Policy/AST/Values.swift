/// A closed interval of field values: a single value (`lo == hi`), a range (`1000-2000`), or a
/// prefix (`10.0.0.0/8` is `10.0.0.0 ... 10.255.255.255`).
public struct ValueInterval: Sendable, Hashable, Comparable {
    public var lo: UInt128
    public var hi: UInt128

    public init(_ value: UInt128) {
        self.lo = value
        self.hi = value
    }

    public init(lo: UInt128, hi: UInt128) {
        precondition(lo <= hi)
        self.lo = lo
        self.hi = hi
    }

    /// The interval a prefix of `length` bits covers in a `bitWidth`-bit field.
    public init(prefix address: UInt128, length: Int, bitWidth: Int) {
        let hostBits = bitWidth - length
        let hostMask: UInt128 = hostBits == 0 ? 0 : (hostBits >= 128 ? UInt128.max : (UInt128(1) << hostBits) - 1)
        self.lo = address & ~hostMask
        self.hi = self.lo | hostMask
    }

    @inlinable public var isSingle: Bool { lo == hi }
    @inlinable public func contains(_ value: UInt128) -> Bool { lo <= value && value <= hi }

    /// The prefix length when the interval is exactly a CIDR prefix of a `bitWidth`-bit field.
    public func prefixLength(bitWidth: Int) -> Int? {
        let span = hi &- lo
        // span must be 2^k - 1 and lo aligned to 2^k.
        if span == UInt128.max { return lo == 0 ? 0 : nil }
        let size = span &+ 1
        guard size & (size &- 1) == 0, lo & span == 0 else { return nil }
        return bitWidth - size.trailingZeroBitCount
    }

    public static func < (a: ValueInterval, b: ValueInterval) -> Bool {
        a.lo != b.lo ? a.lo < b.lo : a.hi < b.hi
    }
}

/// Where a token or construct came from. Columns count UTF-8 bytes from 1.
public struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }
    public var description: String { "\(file):\(line):\(column)" }
}
