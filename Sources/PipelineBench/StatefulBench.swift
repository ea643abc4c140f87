import Flow
import Frame
import Pipeline
import Ruleset

/// The whole pipeline with state: `stateful.policy` over established flows, new flows created
/// through it and expired, a steady churn of both, then the limits and rejects (``LimitBench``).
///
/// Frames are FlowBench's template (IPv4 TCP, addresses and ports written per flow), processed in
/// place by `Pipeline.process` (parse, flow lookup, rules, commit) on a fake clock of 100 ns a
/// frame unless said otherwise; times are this thread's CPU time. Every loop checks that each
/// frame got the verdict it should, and counts allocations. `--stateful-only` runs this alone,
/// `--no-stateful` skips it; `--stateful-flows N` (default 100,000) established flows,
/// `--stateful-frames N` (default 5,000,000) frames per run, `--runs N` runs.
enum StatefulBench {
    /// Runs the benchmark unless `--no-stateful`; true when `--stateful-only` asked for it alone
    /// (or `--limits-only` for the limits, meters and rejects alone).
    static func run(arguments: [String], policyFolder: String) -> Bool {
        if arguments.contains("--no-stateful") { return false }
        let frames = Int(PipelineBench.value(of: "--stateful-frames", in: arguments) ?? "") ?? 5_000_000
        let runs = Int(PipelineBench.value(of: "--runs", in: arguments) ?? "") ?? 5
        let flows = Int(PipelineBench.value(of: "--stateful-flows", in: arguments) ?? "") ?? 100_000
        if arguments.contains("--limits-only") {
            print("limits, meters and rejects through the pipeline, CPU time per frame, best and spread")
            LimitBench.run(policyFolder: policyFolder, frames: frames, runs: runs)
            return true
        }
        let stateful = StatefulBenchSupport.load(path: policyFolder + "/stateful.policy")
        print("stateful pipeline (Pipeline.process with state), CPU time per frame, best and spread")
        for count in [4096, flows] {
            established(stateful, flows: count, frames: frames, runs: runs)
        }
        creation(stateful, count: 1_000_000, runs: max(1, runs / 2))
        churn(stateful, capacity: 65_536, frames: min(frames, 2_000_000), runs: runs)
        LimitBench.run(policyFolder: policyFolder, frames: frames, runs: runs)
        return arguments.contains("--stateful-only")
    }

    static let start: UInt64 = 1_000_000_000

    /// Opens `flows` connections from the inside (SYN on a, SYN+ACK on b, ACK on a), then sends
    /// their established traffic both ways in random order through `stateful.policy`.
    static func established(_ policy: CompiledPolicy, flows: Int, frames: Int, runs: Int) {
        let capacity = FlowTable.defaultCapacity
        let pipeline = StatefulBenchSupport.pipeline(policy, flows: capacity, now: start)
        let established = StatefulBenchSupport.rule("established", in: policy)
        var effects = NoEffects()
        var now = start
        for (flags, reply) in [(UInt8(0x02), false), (0x12, true), (0x10, false)] {
            let frame = FlowBench.template(flags: flags)
            defer { frame.deallocate() }
            for flow in 0..<flows {
                FlowBench.write(flow: flow, reply: reply, into: frame.baseAddress!)
                _ = StatefulBenchSupport.process(pipeline, frame, port: reply ? 1 : 0, now: now, effects: &effects)
                now &+= 100
            }
        }
        guard let table = pipeline.state.flows, table.count(in: .tcpEstablished) == flows else {
            fatalError("the handshakes did not establish every flow")
        }
        let orderCount = 1 << 20
        let order = UnsafeMutablePointer<UInt32>.allocate(capacity: orderCount)
        defer { order.deallocate() }
        var random = SplitMix64(seed: 5)
        for i in 0..<orderCount { order[i] = UInt32(random.below(flows)) << 1 | UInt32(random.below(2)) }
        let frame = FlowBench.template(flags: 0x10)
        defer { frame.deallocate() }

        var spread = BenchSpread()
        var matched = 0
        let allocationsBefore = StatefulBenchSupport.allocations
        for _ in 0..<runs {
            let begin = FlowBench.cpuNow()
            for i in 0..<frames {
                let entry = Int(order[i & (orderCount - 1)])
                let reply = entry & 1 != 0
                FlowBench.write(flow: entry >> 1, reply: reply, into: frame.baseAddress!)
                let decision = StatefulBenchSupport.process(
                    pipeline, frame, port: reply ? 1 : 0, now: now, effects: &effects)
                if decision.rule == established { matched &+= 1 }
                now &+= 100
            }
            spread.add(Double(FlowBench.cpuNow() - begin) / Double(frames))
        }
        let allocations = Double(StatefulBenchSupport.allocations - allocationsBefore) / Double(frames * runs)
        guard matched == frames * runs else { fatalError("\(frames * runs - matched) frames missed \"established\"") }
        print(
            "  stateful.policy, established, \(flows) flows (\(capacity)-flow table), random order both ways: "
                + "\(spread.text), allocations/frame \(PipelineBench.format(allocations, digits: 4))")
    }

    /// `count` SYNs from the inside, each a new flow `inside-out` lets through and the table
    /// creates; then every one expired (the clock moved past syn-sent's timeout).
    static func creation(_ policy: CompiledPolicy, count: Int, runs: Int) {
        let pipeline = StatefulBenchSupport.pipeline(policy, flows: count, now: start)
        let insideOut = StatefulBenchSupport.rule("inside-out", in: policy)
        guard let table = pipeline.state.flows else { fatalError("stateful.policy has no flow table") }
        let frame = FlowBench.template(flags: 0x02)
        defer { frame.deallocate() }
        var effects = NoEffects()
        var events = NoFlowEvents()
        var now = start
        var creating = BenchSpread()
        var expiring = BenchSpread()
        var allocations: UInt64 = 0
        for _ in 0..<runs {
            let createdBefore = table.statistics.created
            let allocationsBefore = StatefulBenchSupport.allocations
            var begin = FlowBench.cpuNow()
            var passed = 0
            for flow in 0..<count {
                FlowBench.write(flow: flow, reply: false, into: frame.baseAddress!)
                let decision = StatefulBenchSupport.process(pipeline, frame, port: 0, now: now, effects: &effects)
                if decision.rule == insideOut { passed &+= 1 }
                now &+= 100
            }
            creating.add(Double(FlowBench.cpuNow() - begin) / Double(count))
            guard passed == count, table.statistics.created - createdBefore == UInt64(count) else {
                fatalError("\(passed) of \(count) SYNs passed, \(table.statistics.created - createdBefore) created")
            }
            now &+= 121_000_000_000  // past syn-sent's 120 s
            begin = FlowBench.cpuNow()
            var expired = 0
            while true {
                let removed = table.expire(now: now, budget: 4096, events: &events)
                if removed == 0 { break }
                expired += removed
            }
            expiring.add(Double(FlowBench.cpuNow() - begin) / Double(count))
            allocations += StatefulBenchSupport.allocations - allocationsBefore
            guard expired == count, table.statistics.inUse == 0 else { fatalError("expired \(expired) of \(count)") }
        }
        let perFlow = Double(allocations) / Double(count * runs)
        print(
            "  stateful.policy, new flows (SYN from a, \(count) into an empty table): \(creating.text) "
                + "= \(PipelineBench.format(1e3 / creating.best, digits: 2)) M flows/s; expiry \(expiring.text); "
                + "allocations/flow (create + expire) \(PipelineBench.format(perFlow, digits: 4))")
    }

    /// A steady churn as a forwarding loop sees it: a new connection every 2 ms of fake time, so
    /// about 60,000 are open at once (syn-sent's 120 s), expired between batches of 32 as the
    /// bridge does; ns per frame include the expiry.
    static func churn(_ policy: CompiledPolicy, capacity: Int, frames: Int, runs: Int) {
        let pipeline = StatefulBenchSupport.pipeline(policy, flows: capacity, now: start)
        let insideOut = StatefulBenchSupport.rule("inside-out", in: policy)
        guard let table = pipeline.state.flows else { fatalError("stateful.policy has no flow table") }
        let frame = FlowBench.template(flags: 0x02)
        defer { frame.deallocate() }
        var effects = NoEffects()
        var events = NoFlowEvents()
        let step: UInt64 = 2_000_000
        var now = start
        var flow = 0
        // Fill to the steady state first, unmeasured.
        for _ in 0..<70_000 {
            FlowBench.write(flow: flow, reply: false, into: frame.baseAddress!)
            _ = StatefulBenchSupport.process(pipeline, frame, port: 0, now: now, effects: &effects)
            flow &+= 1
            now &+= step
            if flow & 31 == 0 { table.expire(now: now, budget: 256, events: &events) }
        }
        var spread = BenchSpread()
        var passed = 0
        let before = table.statistics
        let allocationsBefore = StatefulBenchSupport.allocations
        for _ in 0..<runs {
            let begin = FlowBench.cpuNow()
            for _ in 0..<frames {
                FlowBench.write(flow: flow, reply: false, into: frame.baseAddress!)
                let decision = StatefulBenchSupport.process(pipeline, frame, port: 0, now: now, effects: &effects)
                if decision.rule == insideOut { passed &+= 1 }
                flow &+= 1
                now &+= step
                if flow & 31 == 0 { table.expire(now: now, budget: 256, events: &events) }
            }
            spread.add(Double(FlowBench.cpuNow() - begin) / Double(frames))
        }
        let allocations = Double(StatefulBenchSupport.allocations - allocationsBefore) / Double(frames * runs)
        let after = table.statistics
        guard passed == frames * runs, after.refusedFull == before.refusedFull,
            after.created - before.created == UInt64(frames * runs), table.integrityProblems().isEmpty
        else { fatalError("churn: \(passed) passed, \(after.refusedFull) refused, \(table.integrityProblems())") }
        print(
            "  stateful.policy, churn (a new flow every 2 ms, \(after.inUse) of \(capacity) open, expired between "
                + "batches of 32; \(after.expired - before.expired) expired while measured): \(spread.text), "
                + "allocations/frame \(PipelineBench.format(allocations, digits: 4))")
    }
}
