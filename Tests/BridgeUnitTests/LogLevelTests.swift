import Foundation
import Frame
import Loader
import Logging
import Policy
import Testing

@testable import Bridge

/// `log level L` (nft's names): the drain writes each rule's log line at its level.
@Suite struct LogLevelTests {
    /// The levels of the lines a logger was given.
    final class RecordedLevels: @unchecked Sendable {
        private let lock = NSLock()
        private var recorded: [Logger.Level] = []
        var levels: [Logger.Level] { lock.withLock { recorded } }
        func append(_ level: Logger.Level) { lock.withLock { recorded.append(level) } }
    }

    struct RecordingHandler: LogHandler {
        let record: RecordedLevels
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            record.append(event.level)
        }
    }

    @Test func eachLogLineHasItsStatementsLevel() throws {
        let report = PolicyLoader.load(
            text: """
                version 1
                default forward
                rule "r" {
                    match tcp dport 22
                    log level warn
                    log prefix "ssh " flags all
                    log level crit
                    log level debug
                    drop
                }
                """, path: "/tmp/bk-log-level.policy")
        let loaded = try #require(report.loaded, "\(report.errors.map(\.rendered))")
        #expect(loaded.compiled.logLevels == [.warn, nil, .crit, .debug])
        let queue = LogRecordQueue()
        for prefix in Int32(0)..<4 {
            queue.push(LogRecord(generation: 1, rule: 0, prefix: prefix, port: 0, info: FrameInfo(), time: 0))
        }
        let recorded = RecordedLevels()
        let drain = OutputDrain(
            logQueues: [queue], captureQueues: [],
            logger: Logger(label: "log-level-test") { _ in RecordingHandler(record: recorded) })
        drain.drain(active: ActivePolicy(loaded: loaded, generation: 1, loadedAt: 0), force: false)
        #expect(recorded.levels == [.warning, .info, .critical, .debug])
    }
}
