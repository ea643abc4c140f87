import Frame
import Limits
import Testing

let nanosecondsPerSecond: UInt64 = 1_000_000_000

func seconds(_ value: UInt64) -> UInt64 { value * nanosecondsPerSecond }
func milliseconds(_ value: UInt64) -> UInt64 { value * 1_000_000 }

/// Runs frames at `times` (each `length` bytes) through a bucket that starts full at `start`;
/// the results, in order.
func run(_ limit: RateLimit, start: UInt64 = 0, at times: [UInt64], length: Int = 100) -> [Bool] {
    var bucket = TokenBucket(full: limit, now: start)
    return times.map { bucket.matches(limit, length: length, now: $0) }
}

/// `count` frames at the same instant.
func burst(_ count: Int, at time: UInt64) -> [UInt64] { Array(repeating: time, count: count) }

func packets(_ count: UInt64, per unit: TimeUnit, burst: UInt64? = nil, over: Bool = false) throws -> RateLimit {
    try RateLimit(rate: Rate(packets: count, per: unit), burst: burst.map { try Burst(packets: $0) }, over: over)
}

/// A frame from `source` to `destination` (IPv4) with TCP or UDP to `port`.
func frameInfo(source: UInt32, destination: UInt32 = 0xC613_0001, port: UInt16 = 80, udp: Bool = false) -> FrameInfo {
    var ip = FrameBuilder.IPv4()
    ip.source = source
    ip.destination = destination
    if udp {
        var datagram = FrameBuilder.UDP()
        datagram.destinationPort = port
        ip.transport = .udp(datagram)
    } else {
        var segment = FrameBuilder.TCP()
        segment.destinationPort = port
        ip.transport = .tcp(segment)
    }
    var builder = FrameBuilder()
    builder.network = .ipv4(ip)
    return builder.build().withUnsafeBytes { FrameInfo.parse($0) }
}

func parse(_ builder: FrameBuilder) -> FrameInfo {
    builder.build().withUnsafeBytes { FrameInfo.parse($0) }
}
