import CAllocationCounter
import Frame
import Loader
import Pipeline
import Platform
import Policy
import Ruleset

#if canImport(Glibc)
    import Glibc
#endif

/// `bridgekeeper-pipeline-bench`: nanoseconds per frame through the pipeline for the shipped
/// policies and a generated 10,000-rule one, the 10,000-rule compile time, and allocations per
/// frame (counted by wrapping malloc); the flow table's own figures (``FlowBench``) and the
/// pipeline with state: flows, limits, meters and rejects (``StatefulBench``). Run from the
/// repository root in a release build.
@main
struct PipelineBench {
    static func main() {
        let arguments = CommandLine.arguments
        let frames = Int(value(of: "--frames", in: arguments) ?? "") ?? 10_000_000
        let runs = Int(value(of: "--runs", in: arguments) ?? "") ?? 5
        let policyFolder = value(of: "--policies", in: arguments) ?? "policies"
        // `--only edge.policy` measures one shipped policy and nothing else (for profiling).
        if let only = value(of: "--only", in: arguments) {
            let report = PolicyLoader.load(path: policyFolder + "/" + only)
            guard let loaded = report.loaded else { fatalError("\(only) does not load") }
            let (ns, allocations) = measure(
                loaded.compiled, mix: FrameMix.make(count: 4096), frames: frames, runs: runs)
            print("  \(only) \(format(ns)) ns/frame   allocations/frame \(format(allocations, digits: 4))")
            return
        }
        // Chains against their flat equivalent (`--chains`, `--chains-only`).
        if ChainBench.run(arguments: arguments, frames: frames, runs: runs) { return }
        // MSS clamping against the same SYNs unclamped (`--segment-size`, `--segment-size-only`).
        if SegmentSizeBench.run(arguments: arguments, frames: frames, runs: runs) { return }
        // The flow table's own numbers; `--flows-only` stops after them, `--no-flows` skips them.
        if FlowBench.run(arguments: arguments) { return }
        // The pipeline with state (flows, limits, rejects); `--stateful-only` stops after it.
        if StatefulBench.run(arguments: arguments, policyFolder: policyFolder) { return }
        let mix = FrameMix.make(count: Int(value(of: "--pool", in: arguments) ?? "") ?? 4096)
        var results: [(String, Double, Double)] = []

        for name in ["default.policy", "edge.policy", "reflect.policy"] {
            let report = PolicyLoader.load(path: policyFolder + "/" + name)
            guard let loaded = report.loaded else {
                for d in report.diagnostics { print(d.rendered) }
                fatalError("\(name) does not load")
            }
            let (ns, allocations) = measure(loaded.compiled, mix: mix, frames: frames, runs: runs)
            results.append((name, ns, allocations))
        }

        let text = LargePolicy.text(rules: 10_000)
        let path = "/tmp/bridgekeeper-bench-10k-\(getpid()).policy"
        writeFile(path, text)
        defer { unlink(path) }
        let start = MonotonicClock.now()
        let report = PolicyLoader.load(path: path)
        let loadSeconds = Double(MonotonicClock.now() - start) / 1e9
        guard let large = report.loaded else {
            for d in report.diagnostics.prefix(5) { print(d.rendered) }
            fatalError("the generated policy does not load")
        }
        let compileStart = MonotonicClock.now()
        let recompiled = PolicyCompiler.compile(large.compiled.policy)
        let compileSeconds = Double(MonotonicClock.now() - compileStart) / 1e9
        let (ns, allocations) = measure(recompiled, mix: mix, frames: frames, runs: runs)
        results.append(("10k-rule (generated)", ns, allocations))

        print("pipeline, \(frames) frames per run, best of \(runs), mix of \(mix.count) frames")
        for (name, ns, allocations) in results {
            let pad = String(repeating: " ", count: max(0, 24 - name.count))
            print("  \(name)\(pad)\(format(ns)) ns/frame   allocations/frame \(format(allocations, digits: 4))")
        }
        let edge = results[1].1
        print("  10k-rule / edge: \(format(ns / edge))x")
        print(
            "  10k-rule: read+check+compile+tests \(format(loadSeconds, digits: 3)) s, compile alone \(format(compileSeconds, digits: 3)) s"
        )
    }

    /// Best ns/frame over `runs` and allocations per frame in the measured loops.
    static func measure(_ compiled: CompiledPolicy, mix: [[UInt8]], frames: Int, runs: Int) -> (Double, Double) {
        let pipeline = Pipeline(policy: compiled)
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
        var best = Double.infinity
        var checksum: Int64 = 0
        let allocationsBefore = bk_allocation_count()
        let mask = mix.count - 1
        lengths.withUnsafeBufferPointer { lengths in
            for _ in 0..<runs {
                let start = MonotonicClock.now()
                for i in 0..<frames {
                    let index = i & mask
                    var frame = FrameBuffer(
                        storage: storage + index * slot, capacity: slot, start: headroom, length: lengths[index])
                    let decision = pipeline.process(&frame, port: UInt8(i & 1), effects: &effects)
                    checksum &+= Int64(decision.rule)
                }
                let elapsed = Double(MonotonicClock.now() - start) / Double(frames)
                best = min(best, elapsed)
            }
        }
        let allocations = Double(bk_allocation_count() - allocationsBefore) / Double(frames * runs)
        if checksum == Int64.min { print("") }
        return (best, allocations)
    }

    static func value(of flag: String, in arguments: [String]) -> String? {
        guard let i = arguments.firstIndex(of: flag), i + 1 < arguments.count else { return nil }
        return arguments[i + 1]
    }

    static func writeFile(_ path: String, _ text: String) {
        let file = fopen(path, "w")!
        _ = text.utf8CString.withUnsafeBufferPointer { fputs($0.baseAddress!, file) }
        fclose(file)
    }

    static func format(_ value: Double, digits: Int = 1) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        return String(rounded)
    }
}
