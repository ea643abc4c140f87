import CAllocationCounter
import Flow
import Frame
import Loader
import Pipeline
import Ruleset

/// One measurement repeated: ns per frame of every run, shown as the best and the spread (the
/// machine is shared, so the best is the figure and the spread says how noisy the runs were).
struct BenchSpread {
    private(set) var samples: [Double] = []

    mutating func add(_ nanoseconds: Double) { samples.append(nanoseconds) }

    var best: Double { samples.min() ?? .nan }
    var worst: Double { samples.max() ?? .nan }
    var median: Double {
        let sorted = samples.sorted()
        return sorted.isEmpty ? .nan : sorted[sorted.count / 2]
    }

    /// `12.3 ns (median 12.9, worst 14.0, 5 runs)`.
    var text: String {
        "\(PipelineBench.format(best)) ns (median \(PipelineBench.format(median)), "
            + "worst \(PipelineBench.format(worst)), \(samples.count) runs)"
    }
}

/// What the stateful benchmarks share: loading a policy, a pipeline on a state of its own, and a
/// timed loop's allocation count.
enum StatefulBenchSupport {
    /// The policy at `path`; stops the benchmark when it does not load.
    static func load(path: String) -> CompiledPolicy {
        let report = PolicyLoader.load(path: path)
        guard let loaded = report.loaded else {
            for diagnostic in report.diagnostics { print(diagnostic.rendered) }
            fatalError("\(path) does not load")
        }
        return loaded.compiled
    }

    /// Policy `text`, read as the file `name`; stops the benchmark when it does not load.
    static func load(text: String, name: String) -> CompiledPolicy {
        let report = PolicyLoader.load(text: text, path: name)
        guard let loaded = report.loaded else {
            for diagnostic in report.diagnostics { print(diagnostic.rendered) }
            fatalError("\(name) does not load")
        }
        return loaded.compiled
    }

    /// A pipeline for `policy` on a new thread state with a `flows`-flow table (0: none), its
    /// clock starting at `now`, as a forwarding thread makes one.
    static func pipeline(_ policy: CompiledPolicy, flows: Int, now: UInt64) -> Pipeline {
        let state: ThreadState
        do {
            state = try ThreadState(
                shared: SharedState(), flowCapacity: flows, settings: policy.policy.stateDefaults.flows, seed: 11)
        } catch {
            fatalError("no thread state for \(flows) flows: \(error)")
        }
        return Pipeline(policy: policy, counters: RuleCounters(ruleCount: policy.ruleCount), state: state, now: now)
    }

    /// The number of `name` in `policy`.
    static func rule(_ name: String, in policy: CompiledPolicy) -> Int32 {
        guard let index = policy.ruleNames.firstIndex(of: name) else { fatalError("no rule \(name)") }
        return Int32(index)
    }

    /// Heap allocations so far (the benchmark wraps malloc).
    static var allocations: UInt64 { bk_allocation_count() }

    /// One frame of `frame`'s memory through `pipeline`, arriving on `port` at `now`.
    @inline(__always)
    static func process(
        _ pipeline: Pipeline, _ frame: UnsafeMutableRawBufferPointer, port: UInt8, now: UInt64,
        effects: inout NoEffects
    ) -> Decision {
        var buffer = FrameBuffer(storage: frame.baseAddress!, capacity: frame.count, start: 0, length: frame.count)
        return pipeline.process(&buffer, port: port, now: now, effects: &effects)
    }
}
