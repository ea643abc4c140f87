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

            // A flood: far more frames than the limiter's burst; most lines are suppressed...
            try await bed.a.run {
                let socket = try PlainPacketSocket(interface: "a0")
                for _ in 0..<2000 { try? socket.send(one) }
            }
            usleep(1_500_000)
            let flooded = logLines(bed).count
            #expect(flooded < 600, "\(flooded) lines for 2003 frames")
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
