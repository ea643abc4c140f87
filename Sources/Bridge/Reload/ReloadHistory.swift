import Synchronization

/// What `status` and the metrics report about reloads: the last attempt, when, and how many
/// there were and failed. Written by the reload thread, read by the control thread.
final class ReloadHistory: Sendable {
    /// One consistent reading.
    struct Record: Sendable {
        var last: StatusReport.Reload?
        /// Wall clock of `last`, nanoseconds.
        var lastAt: UInt64 = 0
        var count: UInt64 = 0
        var failures: UInt64 = 0
    }

    private let record = Mutex(Record())

    /// The history now.
    var current: Record { record.withLock { $0 } }

    /// Counts one finished reload.
    func count(succeeded: Bool) {
        record.withLock { record in
            record.count += 1
            if !succeeded { record.failures += 1 }
        }
    }

    /// Remembers the outcome of the last attempt, made at `wallNanoseconds`.
    func remember(_ reload: StatusReport.Reload, at wallNanoseconds: UInt64) {
        record.withLock { record in
            record.last = reload
            record.lastAt = wallNanoseconds
        }
    }
}
