import Foundation
import Injection
import Testing

@Suite("summary")
struct SummaryTests {
    @Test("the text line names every counter; too-big and skipped only when not zero")
    func text() {
        var counters = TransmitCounters()
        counters.frames = 6000
        counters.bytes = 360_000
        let quiet = TransmitSummary(counters: counters, seconds: 3)
        #expect(quiet.text == "frames 6000 bytes 360000 seconds 3.000 rate 2000 frames/s (1.0 Mbit/s) send-errors 0")
        counters.tooBig = 2
        counters.skipped = 1
        counters.sendErrors = 3
        let noisy = TransmitSummary(counters: counters, seconds: 0.0005, interrupted: true)
        #expect(
            noisy.text
                == "frames 6000 bytes 360000 seconds 0.001 rate 12000000 frames/s (5760.0 Mbit/s) send-errors 3 "
                + "too-big 2 skipped 1 interrupted")
    }

    @Test("the JSON form decodes back to the same summary")
    func json() throws {
        var counters = TransmitCounters()
        counters.frames = 12
        counters.bytes = 1234
        counters.tooBig = 1
        let summary = TransmitSummary(counters: counters, seconds: 1.25)
        let decoded = try JSONDecoder().decode(TransmitSummary.self, from: Data(summary.json.utf8))
        #expect(decoded == summary)
        let object = try JSONSerialization.jsonObject(with: Data(summary.json.utf8)) as? [String: Any]
        #expect(object?["frames_per_second"] as? Int == 10)
    }
}
