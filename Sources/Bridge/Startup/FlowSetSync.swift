import Flow
import Logging
import Mirror
import Platform

/// What a forwarding thread tells the control thread about its flows: one became established
/// (both sides seen) or ended. Queued without waiting; a full queue drops and counts.
struct FlowChange: BitwiseCopyable, Sendable {
    var event: FlowEvent
    var ended: Bool
}

/// Keeps the kernel's flow sets in step with the bridge's flow tables, so that after `kill -9`
/// in fail-open the kernel bridge keeps forwarding the connections that were established: each
/// control tick it adds the flows that became established and removes those that ended, and
/// every ``refreshInterval`` it re-adds the established flows whose kernel timeout is short
/// (the kernel's copy is not refreshed by traffic while the bridge runs: the guard keeps the
/// kernel from forwarding, so from seeing it). Runs on the control thread.
final class FlowSetSync {
    private let mirror: KernelMirror
    private let queues: [SPSCRing<FlowChange>]
    private let logger: Logger
    /// How often the established flows with short timeouts are written again.
    let refreshInterval: UInt64 = 30_000_000_000
    /// Flows whose class timeout is at most this are refreshed (UDP, ICMP; not TCP's 5 days).
    let refreshBelow: UInt64 = 3_600_000_000_000
    private var nextRefresh: UInt64 = 0
    private var failureLimiter = RateLimiter(perSecond: 0.1, burst: 3)
    /// Flows added and removed so far, and the last error (for status).
    private(set) var added: UInt64 = 0
    private(set) var removed: UInt64 = 0

    init(mirror: KernelMirror, queues: [SPSCRing<FlowChange>], logger: Logger) {
        self.mirror = mirror
        self.queues = queues
        self.logger = logger
    }

    /// Moves the queued changes into the kernel (one transaction each way); every
    /// ``refreshInterval`` also writes again what `snapshots` returns for the short-lived classes.
    /// With `everything` (a clean stop in fail-open, before the kernel takes over) every
    /// established flow of `snapshots` is written, whatever its timeout.
    func tick(now: UInt64, everything: Bool = false, snapshots: () -> [FlowRecord]) {
        var additions: [KernelFlowEntry] = []
        var removals: [KernelFlow] = []
        for queue in queues {
            while let change = queue.pop() {
                let tuple = change.event.tuple
                if change.ended {
                    guard change.event.wasEstablished, let flow = KernelFlow(tuple, answered: true) else { continue }
                    removals.append(flow)
                } else if let flow = KernelFlow(tuple, answered: true) {
                    additions.append(KernelFlowEntry(flow: flow, remaining: change.event.remainingTimeout))
                }
            }
        }
        if everything || now >= nextRefresh {
            nextRefresh = now &+ refreshInterval
            for record in snapshots() where record.seenReply && record.remaining > 0 {
                guard everything || record.idle &+ record.remaining <= refreshBelow,
                    let flow = KernelFlow(record.tuple, answered: true)
                else { continue }
                additions.append(KernelFlowEntry(flow: flow, remaining: record.remaining))
            }
        }
        guard !additions.isEmpty || !removals.isEmpty else { return }
        do throws(MirrorError) {
            try mirror.sync(added: additions, removed: removals)
            added &+= UInt64(additions.count)
            removed &+= UInt64(removals.count)
        } catch {
            let (allowed, suppressed) = failureLimiter.admit(now: now)
            if allowed {
                logger.error(
                    "cannot keep the kernel's flow sets in step",
                    metadata: ["error": "\(error)", "suppressed_before": "\(suppressed)"])
            }
        }
    }
}
