import Foundation
import TestSupport
import Testing

/// `log` statements: one structured line per frame, rate-limited so a flood cannot fill a disk.
@Suite(.serialized) struct LogTests {
    @Test func aLogStatementWritesOneStructuredLinePerFrameAndAFloodIsLimited() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(
                policy: """
                    version 1
                    default forward
                    rule "watch" {
                        match udp dport 7000
                        log prefix "seen it"
                        drop
                    }
                    """)
            let one = TestFrames.udp(sourcePort: 4000, destinationPort: 7000, marker: 1)
            try await bed.a.run {
                let socket = try PlainPacketSocket(interface: "a0")
                for _ in 0..<3 { try socket.send(one) }
            }
            #expect(waitUntil(timeout: 3) { logLines(bed).count == 3 })
            let line = try #require(logLines(bed).first)
            #expect(line.hasPrefix("level=info event=log rule=watch prefix=\"seen it\" iif=a len=60"), "\(line)")
            #expect(line.contains("ip=198.18.0.1>198.18.0.2 proto=17 sport=4000 dport=7000"), "\(line)")

            // A flood: far more frames than the limiter's burst; most lines are suppressed. The
            // limiter (200 lines at once, then 100 a second) can let through at most its burst plus
            // what refills over the interval this test's own clock brackets.
            let floodStart = monotonicSeconds()
            try await bed.a.run {
                let socket = try PlainPacketSocket(interface: "a0")
                for _ in 0..<2000 { try socket.send(one) }
            }
            try bed.waitForRule("watch", packets: 2003)
            let flooded = logLines(bed).count - 3
            let allowed = 200 + Int((100 * (monotonicSeconds() - floodStart)).rounded(.up))
            #expect(flooded <= allowed, "\(flooded) lines for 2000 frames; the limiter allows \(allowed)")
            #expect(try bed.rulePackets("watch") == 2003, "every frame is still counted")
            // ...and the next line that gets through says how many.
            try await bed.a.run { try PlainPacketSocket(interface: "a0").send(one) }
            #expect(waitUntil(timeout: 3) { logLines(bed).last?.contains("suppressed_before=") == true })
        }
    }

    func logLines(_ bed: BridgeTestbed) -> [String] {
        bed.log(lines: 100_000).split(separator: "\n").map(String.init).filter { $0.contains("event=log") }
    }
}
