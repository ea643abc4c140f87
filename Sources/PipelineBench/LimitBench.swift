import Answers
import Frame
import Pipeline
import Ruleset

/// The limits and rejects through the whole pipeline: `perimeter.policy` over the usual frame
/// mix, rejected SYNs with their answers built, and the cost of a meter lookup, measured as a
/// policy whose hot rule is `limit rate over ... per ip saddr` minus the same policy without the
/// limit, over the mix's few sources and over 100,000 (a bucket each, beyond the caches), with
/// the same limit as one bucket in between.
enum LimitBench {
    static func run(policyFolder: String, frames: Int, runs: Int) {
        let perimeter = StatefulBenchSupport.load(path: policyFolder + "/perimeter.policy")
        let mix = FrameMix.make(count: 4096)
        let perimeterTime = throughMix(perimeter, mix: mix, frames: frames, runs: runs)
        print(
            "  perimeter.policy, frame mix: \(perimeterTime.spread.text), allocations/frame \(perimeterTime.allocations)"
        )
        rejects(perimeter, frames: min(frames, 1_000_000), runs: runs)

        // The hot rule sees every TCP frame (80% of the mix, all of the source sweep). The same
        // limit without `per` (one bucket) splits the difference: the stateful term's own cost,
        // then the meter's key and table.
        let meter = " limit rate over 100/second burst 50 packets per ip saddr"
        let bucket = " limit rate over 100/second burst 50 packets"
        let mixMetered = throughMix(meterPolicy(limit: meter, size: 65_536), mix: mix, frames: frames, runs: runs)
        let mixSingle = throughMix(meterPolicy(limit: bucket, size: 65_536), mix: mix, frames: frames, runs: runs)
        let mixPlain = throughMix(meterPolicy(limit: "", size: 65_536), mix: mix, frames: frames, runs: runs)
        report(
            "frame mix (<= 4096 sources), meter-size 65536", metered: mixMetered, single: mixSingle, plain: mixPlain)
        let sources = 100_000
        let metered = throughSources(
            meterPolicy(limit: meter, size: 262_144), sources: sources, frames: frames, runs: runs)
        let single = throughSources(
            meterPolicy(limit: bucket, size: 262_144), sources: sources, frames: frames, runs: runs)
        let plain = throughSources(meterPolicy(limit: "", size: 262_144), sources: sources, frames: frames, runs: runs)
        report(
            "TCP from \(sources) sources in random order, meter-size 262144", metered: metered, single: single,
            plain: plain)
        let dynamic = throughSources(dynamicSetPolicy(size: 262_144), sources: sources, frames: frames, runs: runs)
        print(
            "  dynamic set (`update @seen { ip saddr }`, then `ip saddr @seen` on the next rule), TCP from "
                + "\(sources) sources in random order, size 262144: \(dynamic.spread.text); without them "
                + "\(plain.spread.text); allocations/frame \(dynamic.allocations)")
    }

    /// Every TCP frame's source goes into (or is refreshed in) a dynamic set of `size`, and the
    /// next rule tests membership.
    static func dynamicSetPolicy(size: Int) -> CompiledPolicy {
        let text = """
            version 1
            default forward
            set seen { type ipv4_addr; flags dynamic,timeout; timeout 60s; size \(size); }
            rule "remember" {
                match ip protocol tcp
                update @seen { ip saddr }
            }
            rule "per-source" {
                match ip saddr @seen tcp dport 9
                drop
            }
            rule "telnet" {
                match tcp dport 23
                drop
            }

            """
        return StatefulBenchSupport.load(text: text, name: "dynamic-set-bench.policy")
    }

    /// Prints the meter's figures: the policy with the meter, with one bucket, and without a limit.
    static func report(
        _ label: String, metered: (spread: BenchSpread, allocations: String),
        single: (spread: BenchSpread, allocations: String), plain: (spread: BenchSpread, allocations: String)
    ) {
        let lookup = metered.spread.best - plain.spread.best
        print(
            "  meter (hot rule `limit rate over 100/second burst 50 packets per ip saddr`), \(label): "
                + "\(metered.spread.text); one bucket instead \(single.spread.text); no limit \(plain.spread.text). "
                + "Meter lookup (metered minus no limit, best against best) \(PipelineBench.format(lookup)) ns/frame, "
                + "of which the meter's key and table \(PipelineBench.format(metered.spread.best - single.spread.best)); "
                + "allocations/frame \(metered.allocations)")
    }

    /// A policy whose first rule, matched by every TCP frame, carries `limit` (or nothing), with
    /// meters of `size` buckets.
    static func meterPolicy(limit: String, size: Int) -> CompiledPolicy {
        let text = """
            version 1
            default forward
            defaults { meter-size \(size); }
            rule "per-source" {
                match ip protocol tcp\(limit)
                drop
            }
            rule "telnet" {
                match tcp dport 23
                drop
            }

            """
        return StatefulBenchSupport.load(text: text, name: "limit-bench.policy")
    }

    /// ns per frame over `mix` (cycled), each frame at the next 100 ns, and allocations per frame.
    static func throughMix(_ policy: CompiledPolicy, mix: [[UInt8]], frames: Int, runs: Int) -> (
        spread: BenchSpread, allocations: String
    ) {
        let pipeline = StatefulBenchSupport.pipeline(policy, flows: policy.usesFlows ? 65_536 : 0, now: 0)
        let slot = 2048
        let headroom = 64
        let storage = UnsafeMutableRawPointer.allocate(byteCount: mix.count * slot, alignment: 64)
        defer { storage.deallocate() }
        var lengths = [Int](repeating: 0, count: mix.count)
        for (i, bytes) in mix.enumerated() {
            bytes.withUnsafeBytes {
                (storage + i * slot + headroom).copyMemory(from: $0.baseAddress!, byteCount: $0.count)
            }
            lengths[i] = bytes.count
        }
        var effects = NoEffects()
        var spread = BenchSpread()
        var sink: Int64 = 0
        var now: UInt64 = StatefulBench.start
        let mask = mix.count - 1
        let allocationsBefore = StatefulBenchSupport.allocations
        lengths.withUnsafeBufferPointer { lengths in
            for _ in 0..<runs {
                let begin = FlowBench.cpuNow()
                for i in 0..<frames {
                    let index = i & mask
                    var frame = FrameBuffer(
                        storage: storage + index * slot, capacity: slot, start: headroom, length: lengths[index])
                    sink &+= Int64(pipeline.process(&frame, port: UInt8(i & 1), now: now, effects: &effects).rule)
                    now &+= 100
                }
                spread.add(Double(FlowBench.cpuNow() - begin) / Double(frames))
            }
        }
        if sink == Int64.min { print("") }
        let allocations = Double(StatefulBenchSupport.allocations - allocationsBefore) / Double(frames * runs)
        return (spread, PipelineBench.format(allocations, digits: 4))
    }

    /// ns per frame for TCP segments from `sources` different addresses in random order.
    static func throughSources(_ policy: CompiledPolicy, sources: Int, frames: Int, runs: Int) -> (
        spread: BenchSpread, allocations: String
    ) {
        let pipeline = StatefulBenchSupport.pipeline(policy, flows: 0, now: 0)
        let orderCount = 1 << 20
        let order = UnsafeMutablePointer<UInt32>.allocate(capacity: orderCount)
        defer { order.deallocate() }
        var random = SplitMix64(seed: 9)
        for i in 0..<orderCount { order[i] = UInt32(random.below(sources)) }
        let frame = FlowBench.template(flags: 0x10)
        defer { frame.deallocate() }
        var effects = NoEffects()
        var spread = BenchSpread()
        var sink: Int64 = 0
        var now: UInt64 = StatefulBench.start
        let allocationsBefore = StatefulBenchSupport.allocations
        for _ in 0..<runs {
            let begin = FlowBench.cpuNow()
            for i in 0..<frames {
                FlowBench.write(flow: Int(order[i & (orderCount - 1)]), reply: false, into: frame.baseAddress!)
                sink &+= Int64(StatefulBenchSupport.process(pipeline, frame, port: 0, now: now, effects: &effects).rule)
                now &+= 100
            }
            spread.add(Double(FlowBench.cpuNow() - begin) / Double(frames))
        }
        if sink == Int64.min { print("") }
        let allocations = Double(StatefulBenchSupport.allocations - allocationsBefore) / Double(frames * runs)
        return (spread, PipelineBench.format(allocations, digits: 4))
    }

    /// Telnet SYNs from many sources through `perimeter.policy`'s `no-telnet` reject, each
    /// answered as the forwarding loop does (the reset built, then paced by the answer rate).
    static func rejects(_ policy: CompiledPolicy, frames: Int, runs: Int) {
        let pipeline = StatefulBenchSupport.pipeline(policy, flows: 0, now: 0)
        let noTelnet = StatefulBenchSupport.rule("no-telnet", in: policy)
        var tcp = FrameBuilder.TCP()
        tcp.destinationPort = 23
        var ip = FrameBuilder.IPv4()
        ip.transport = .tcp(tcp)
        var builder = FrameBuilder()
        builder.network = .ipv4(ip)
        let bytes = builder.build()
        let frame = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 64)
        defer { frame.deallocate() }
        bytes.withUnsafeBytes { frame.copyMemory(from: $0) }
        let answer = UnsafeMutableRawBufferPointer.allocate(byteCount: AnswerBuilder.maximumAnswerLength, alignment: 64)
        defer { answer.deallocate() }
        var info = FrameInfo()
        var effects = NoEffects()
        var spread = BenchSpread()
        var rejected = 0
        var answered = 0
        var now: UInt64 = StatefulBench.start
        let allocationsBefore = StatefulBenchSupport.allocations
        for _ in 0..<runs {
            let begin = FlowBench.cpuNow()
            for i in 0..<frames {
                // A source per frame in 198.19.0.0/16, past the policy's admin exceptions (the
                // checksum is not checked: the answer is built unverified, as for a frame whose
                // checksum the driver vouched for).
                frame.storeBytes(of: (0xC613_0000 | UInt32(i & 0xffff)).bigEndian, toByteOffset: 26, as: UInt32.self)
                var buffer = FrameBuffer(
                    storage: frame.baseAddress!, capacity: frame.count, start: 0, length: frame.count)
                FrameInfo.parse(buffer.readOnlyBytes, into: &info)
                let decision = pipeline.process(&buffer, info: &info, port: 0, now: now, effects: &effects)
                if decision.rule == noTelnet { rejected &+= 1 }
                let length = pipeline.answer(
                    buffer.readOnlyBytes, info: info, decision: decision, now: now, verifyingChecksum: false,
                    into: answer)
                if length > 0 { answered &+= 1 }
                now &+= 100
            }
            spread.add(Double(FlowBench.cpuNow() - begin) / Double(frames))
        }
        let allocations = Double(StatefulBenchSupport.allocations - allocationsBefore) / Double(frames * runs)
        guard rejected == frames * runs, answered > 0 else {
            fatalError("rejects: \(rejected) rejected, \(answered) answered")
        }
        print(
            "  perimeter.policy, rejected SYNs, process + answer (built, then paced: \(answered) of \(rejected) "
                + "sent at 100/second): \(spread.text), allocations/frame \(PipelineBench.format(allocations, digits: 4))"
        )
    }
}
