import Frame
import Testing

import struct Foundation.Date

/// Prints how long a parse takes; not an assertion (speed is measured by the benchmark).
@Suite struct ParseTimingTests {
    @Test func printParseTime() {
        let frames = [SampleFrames.ipv4TCP.build(), SampleFrames.dot1QIPv4TCP.build(), SampleFrames.ipv6UDP.build()]
        let iterations = 50_000
        for frame in frames {
            var checksum = 0
            let start = Date()
            frame.withUnsafeBytes { bytes in
                for _ in 0..<iterations { checksum &+= Int(FrameInfo.parse(bytes).destinationPort) }
            }
            let nanoseconds = Date().timeIntervalSince(start) * 1e9 / Double(iterations)
            print("FrameInfo.parse: \(frame.count) bytes, \(Int(nanoseconds)) ns/frame (port sum \(checksum))")
            #expect(checksum != 0)
        }
    }
}
