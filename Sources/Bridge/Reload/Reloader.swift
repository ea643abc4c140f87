import Loader
import Logging
import Mirror
import Operations
import Platform
import Policy

/// One reload, in the order that keeps both sides consistent: read the files with exactly
/// `check`'s code, stop when nothing changed, open the monitor ports, commit the kernel mirror,
/// and only then put the new policy in force on every thread. Any failure leaves the running
/// policy and the mirror as they were and says why.
final class Reloader: Sendable {
    let policyPath: String
    /// The interfaces of ports a and b, for systemd's status line.
    let portNames: (a: String, b: String)
    let slot: PolicySlot
    let history = ReloadHistory()
    private let target: any ReloadTarget
    private let notifier: SystemdNotifier
    private let logger: Logger

    init(
        policyPath: String, portNames: (a: String, b: String), slot: PolicySlot, target: any ReloadTarget,
        notifier: SystemdNotifier, logger: Logger
    ) {
        self.policyPath = policyPath
        self.portNames = portNames
        self.slot = slot
        self.target = target
        self.notifier = notifier
        self.logger = logger
    }

    /// Reloads and records the outcome; systemd learns it before the control client does.
    func reload(trigger: String) -> ReloadReply {
        try? notifier.reloading()
        let reply = attempt(trigger: trigger)
        history.count(succeeded: reply.ok)
        let status = reply.ok ? Self.readyStatus(slot.current(), ports: portNames) : "reload failed: \(reply.message)"
        try? notifier.ready(status: status)
        return reply
    }

    /// The `STATUS=` line for systemd while forwarding.
    static func readyStatus(_ active: ActivePolicy, ports: (a: String, b: String)) -> String {
        "forwarding \(ports.a) <-> \(ports.b), policy generation \(active.generation), "
            + "\(active.loaded.compiled.ruleCount) rules"
    }

    private func attempt(trigger: String) -> ReloadReply {
        let old = slot.current()
        let target = self.target
        let ports = PortInterfaces(a: portNames.a, b: portNames.b)
        var plan: MirrorPlan?
        let report = PolicyLoader.load(path: policyPath, ports: ports) { policy in
            plan = target.mirrorPlan(for: policy)
            return plan?.notes.map(\.diagnostic) ?? []
        }
        guard let loaded = report.loaded else {
            let errors = report.errors.map(\.summary)
            for error in errors { logger.error("\(error)") }
            let count = "\(errors.count) error\(errors.count == 1 ? "" : "s")"
            return failed(
                trigger: trigger, message: "\(count); generation \(old.generation) stays in force", errors: errors,
                generation: old.generation)
        }
        // The same files again (a SIGHUP storm, a config tool re-sending): nothing to change,
        // and no need to make the kernel rebuild a large mirror table, as long as the kernel
        // still holds it (a reload also repairs a mirror someone flushed).
        if loaded.sha256 == old.loaded.sha256, plan.map(target.mirrorIntact) ?? true {
            logger.info(
                "reload: the policy files are unchanged",
                metadata: ["trigger": "\(trigger)", "generation": "\(old.generation)"])
            remember(
                ok: true, generation: old.generation,
                message: "files unchanged; generation \(old.generation) stays in force", errors: [])
            return ReloadReply(
                ok: true, generation: old.generation, message: "files unchanged; generation \(old.generation) stays",
                errors: [])
        }
        if loaded.compiled.usesFlows && !target.tracksFlows {
            return failed(
                trigger: trigger,
                message: "\(StartupPolicy.needsFlowTable); generation \(old.generation) stays in force",
                errors: [StartupPolicy.needsFlowTable], generation: old.generation)
        }
        let monitorPorts: MonitorPorts
        do {
            monitorPorts = try target.monitorPorts(for: loaded.compiled)
        } catch {
            return failed(
                trigger: trigger, message: "\(error); generation \(old.generation) stays in force",
                errors: ["\(error)"], generation: old.generation)
        }
        // The kernel first: if nftables refuses the new table, neither side changes.
        if let plan {
            do {
                try target.commitMirror(plan)
            } catch {
                return failed(
                    trigger: trigger,
                    message: "nftables refused the new policy (\(error)); generation \(old.generation) stays in force",
                    errors: ["\(error)"], generation: old.generation)
            }
        }
        let next = ActivePolicy(
            loaded: loaded, generation: old.generation + 1, loadedAt: WallClock.now(), monitors: monitorPorts)
        target.putInForce(next)
        let change = RuleChanges(from: old.loaded.compiled.policy, to: loaded.compiled.policy)
        logger.notice(
            "reloaded",
            metadata: [
                "trigger": "\(trigger)", "generation": "\(next.generation)", "sha256": "\(loaded.sha256)",
                "rules": "\(loaded.compiled.ruleCount)", "added": "\(change.added.joined(separator: ","))",
                "removed": "\(change.removed.joined(separator: ","))",
                "changed": "\(change.changed.joined(separator: ","))",
            ])
        for warning in loaded.warnings { logger.warning("\(warning.summary)") }
        remember(ok: true, generation: next.generation, message: change.summary, errors: [])
        return ReloadReply(ok: true, generation: next.generation, message: change.summary, errors: [])
    }

    /// Logs and records a reload that changed nothing.
    private func failed(trigger: String, message: String, errors: [String], generation: UInt64) -> ReloadReply {
        logger.error("reload failed", metadata: ["trigger": "\(trigger)", "reason": "\(message)"])
        remember(ok: false, generation: generation, message: message, errors: errors)
        return ReloadReply(ok: false, generation: generation, message: message, errors: errors)
    }

    private func remember(ok: Bool, generation: UInt64, message: String, errors: [String]) {
        let now = WallClock.now()
        history.remember(
            StatusReport.Reload(
                at: WallClock.rfc3339(now), ok: ok, generation: generation, message: message, errors: errors), at: now)
    }
}
