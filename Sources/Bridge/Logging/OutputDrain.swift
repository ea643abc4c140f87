import Logging
import Pipeline
import Platform
import Policy
import Synchronization

/// The control thread's side of `log` and `pcap` statements: takes what the forwarding threads
/// queued, writes log lines (rate-limited, so a flood cannot fill a disk) and appends frame
/// copies to the capture files, flushing them once a second. Capture files a policy names are
/// opened (appending) when it goes in force and stay open across reloads.
final class OutputDrain: @unchecked Sendable {
    private let logQueues: [LogRecordQueue]
    private let captureQueues: [CaptureQueue]
    /// `pcap` statement files by path (opened by reloads, written by the control thread).
    private let writers = Mutex<[String: CaptureFile]>([:])
    private var logLimiter = RateLimiter(perSecond: 100, burst: 200)
    private var nextFlush: UInt64 = 0
    private let logger: Logger

    init(logQueues: [LogRecordQueue], captureQueues: [CaptureQueue], logger: Logger) {
        self.logQueues = logQueues
        self.captureQueues = captureQueues
        self.logger = logger
    }

    /// Opens the capture files `policy` names that are not open yet (a file that cannot be
    /// opened is logged; its copies are dropped).
    func openCaptureFiles(for policy: ActivePolicy) {
        for path in policy.loaded.compiled.captureFiles where writers.withLock({ $0[path] == nil }) {
            do {
                let file = try CaptureFile(path: path)
                writers.withLock { $0[path] = file }
            } catch {
                logger.error("cannot open capture file", metadata: ["path": "\(path)", "error": "\(error)"])
            }
        }
    }

    /// Writes queued `log` lines and `pcap` copies; flushes the files once a second, or now
    /// with `force`. Records of an older policy generation name their rule by number.
    func drain(active: ActivePolicy, force: Bool) {
        let compiled = active.loaded.compiled
        for queue in logQueues {
            while let record = queue.pop() {
                let (allowed, suppressed) = logLimiter.admit(now: MonotonicClock.now())
                guard allowed else { continue }
                let known = record.generation == active.generation
                let name =
                    record.rule < 0 ? "default" : known ? compiled.ruleNames[Int(record.rule)] : "rule#\(record.rule)"
                let prefix = known ? compiled.logPrefixes[Int(record.prefix)] : nil
                let levels = compiled.logLevels
                let level = known && Int(record.prefix) < levels.count ? levels[Int(record.prefix)] : nil
                var line = LogLine.describe(rule: name, prefix: prefix, info: record.info, port: record.port)
                if suppressed > 0 { line += " suppressed_before=\(suppressed)" }
                logger.log(
                    level: Self.severity(level), "event=log \(line)", metadata: [LineLogHandler.fieldsKey: "1"])
            }
        }
        writers.withLock { writers in
            for queue in captureQueues {
                while let (header, bytes) = queue.first() {
                    if header.generation == active.generation, Int(header.file) < compiled.captureFiles.count,
                        let writer = writers[compiled.captureFiles[Int(header.file)]]
                    {
                        writer.write(bytes, time: header.time, wireLength: Int(header.wireLength))
                    }
                    queue.removeFirst()
                }
            }
            let now = MonotonicClock.now()
            if force || now >= nextFlush {
                nextFlush = now + 1_000_000_000
                for writer in writers.values { writer.flush() }
            }
        }
    }

    /// Flushes every capture file (at exit).
    func flushFiles() {
        writers.withLock { writers in for writer in writers.values { writer.flush() } }
    }

    /// The log record's level for a rule's `log level` (nft's names; none: `info`).
    static func severity(_ level: LogLevel?) -> Logger.Level {
        switch level {
        case .emerg, .alert, .crit: return .critical
        case .err: return .error
        case .warn: return .warning
        case .notice: return .notice
        case .info, nil: return .info
        case .debug: return .debug
        }
    }
}
