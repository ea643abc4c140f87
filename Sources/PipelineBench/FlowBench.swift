import CAllocationCounter
import Flow
import Frame

#if canImport(Glibc)
    import Glibc
#endif

/// The flow table's micro-benchmark: classify+commit per frame for established traffic over many
/// flows in random order, new-flow creation (into free slots, and into a full table by early
/// drop), expiry throughput, allocations in every measured loop, the slot's stride and the
/// table's resident bytes at 1,000,000 flows.
///
/// Frames are written into one template (addresses and ports per flow, a few stores) and parsed
/// in the loop as the pipeline does; the parse-and-write loop alone is measured too, so the
/// table's own part is the difference. The clock is fake: 100 ns per frame (10 Mpps).
/// `--flows-only` runs this and nothing else; `--no-flows` skips it; `--flows N` measures
/// established traffic over N flows only; `--flow-phases resident,established,creation,drop`
/// picks phases; `--flow-frames N` frames per established run. Times are this thread's CPU time
/// (the machine is shared; wall time would count the neighbours).
enum FlowBench {
    /// Runs the benchmark unless `--no-flows` is given; true when `--flows-only` asked for it alone.
    static func run(arguments: [String]) -> Bool {
        if arguments.contains("--no-flows") { return false }
        let frames = Int(PipelineBench.value(of: "--flow-frames", in: arguments) ?? "") ?? 10_000_000
        let runs = Int(PipelineBench.value(of: "--runs", in: arguments) ?? "") ?? 5
        // Established traffic over a cache-sized and a DRAM-sized table, unless `--flows N` picks one.
        let flowCounts =
            (PipelineBench.value(of: "--flows", in: arguments).flatMap { Int($0) }).map { [$0] } ?? [4096, 100_000]
        print("flow table (Flow), best of \(runs), fake clock 100 ns/frame")
        print("  slot stride \(FlowTable.slotStride) bytes")
        // `--flow-phases established,creation,drop,resident` picks some (for profiling one).
        let phases = Set(
            (PipelineBench.value(of: "--flow-phases", in: arguments) ?? "established,creation,drop,resident")
                .split(separator: ",").map(String.init))
        // Resident memory first: later phases free tables whose pages malloc may hand out again.
        if phases.contains("resident") { resident(capacity: 1_000_000) }
        if phases.contains("established") {
            for flows in flowCounts { established(flows: flows, frames: frames, runs: runs) }
        }
        if phases.contains("creation") { creationAndExpiry(count: 1_000_000, runs: max(1, runs / 2)) }
        if phases.contains("drop") { earlyDrop(capacity: 262_144, count: 1_000_000) }
        return arguments.contains("--flows-only")
    }

    /// This thread's CPU time in ns: the machine is shared, and wall time would count the neighbours.
    static func cpuNow() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
    }

    /// A table for `capacity` flows (the benchmark's capacities are all valid).
    static func makeTable(capacity: Int) -> FlowTable {
        do {
            return try FlowTable(capacity: capacity)
        } catch {
            fatalError("no flow table: \(error)")
        }
    }

    /// Writes flow `flow`'s frame (from the client when `reply` is false) into `frame`.
    @inline(__always)
    static func write(flow: Int, reply: Bool, into frame: UnsafeMutableRawPointer) {
        let client = 0xC612_0000 | UInt32(flow & 0x1ffff)  // 198.18.0.0/15
        let server = 0xC613_FF00 | UInt32(flow & 0xff)  // 198.19.255.x
        let clientPort = UInt16(truncatingIfNeeded: 1024 + (flow >> 17))
        let serverPort: UInt16 = 443
        frame.storeBytes(of: (reply ? server : client).bigEndian, toByteOffset: 26, as: UInt32.self)
        frame.storeBytes(of: (reply ? client : server).bigEndian, toByteOffset: 30, as: UInt32.self)
        frame.storeBytes(of: (reply ? serverPort : clientPort).bigEndian, toByteOffset: 34, as: UInt16.self)
        frame.storeBytes(of: (reply ? clientPort : serverPort).bigEndian, toByteOffset: 36, as: UInt16.self)
    }

    /// One frame through parse, classify and commit (forwarded).
    @inline(__always)
    static func pass(
        _ table: FlowTable, _ bytes: UnsafeRawBufferPointer, _ info: inout FrameInfo, now: UInt64,
        events: inout NoFlowEvents
    ) -> CommitOutcome {
        FrameInfo.parse(bytes, into: &info)
        let lookup = table.classify(frame: bytes, info: &info, now: now)
        return table.commit(lookup, forwarded: true, length: bytes.count, creator: 1, now: now, events: &events)
    }

    /// A frame template with TCP `flags`, in writable memory.
    static func template(flags: UInt8) -> UnsafeMutableRawBufferPointer {
        var tcp = FrameBuilder.TCP()
        tcp.flags = flags
        var ip = FrameBuilder.IPv4()
        ip.transport = .tcp(tcp)
        var builder = FrameBuilder()
        builder.network = .ipv4(ip)
        let bytes = builder.build()
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 64)
        bytes.withUnsafeBytes { memory.copyMemory(from: $0) }
        return memory
    }

    static func established(flows: Int, frames: Int, runs: Int) {
        let table = makeTable(capacity: flows * 2)
        var info = FrameInfo()
        var events = NoFlowEvents()
        var now: UInt64 = 1_000_000_000
        for (flags, reply) in [(UInt8(0x02), false), (0x12, true), (0x10, false)] {
            let frame = template(flags: flags)
            defer { frame.deallocate() }
            for flow in 0..<flows {
                write(flow: flow, reply: reply, into: frame.baseAddress!)
                _ = pass(table, UnsafeRawBufferPointer(frame), &info, now: now, events: &events)
                now &+= 100
            }
        }
        guard table.count(in: .tcpEstablished) == flows else { fatalError("handshakes did not establish every flow") }

        // A random order of (flow, direction), longer than the flow count so it does not repeat in step.
        let orderCount = 1 << 20
        let order = UnsafeMutablePointer<UInt32>.allocate(capacity: orderCount)
        defer { order.deallocate() }
        var random = SplitMix64(seed: 5)
        for i in 0..<orderCount { order[i] = UInt32(random.below(flows)) << 1 | UInt32(random.below(2)) }
        let frame = template(flags: 0x10)
        defer { frame.deallocate() }
        let bytes = UnsafeRawBufferPointer(frame)

        var bestParse = Double.infinity
        var bestFlow = Double.infinity
        var updated = 0
        let allocationsBefore = bk_allocation_count()
        for _ in 0..<runs {
            var start = cpuNow()
            var sink = 0
            for i in 0..<frames {
                let entry = Int(order[i & (orderCount - 1)])
                write(flow: entry >> 1, reply: entry & 1 != 0, into: frame.baseAddress!)
                FrameInfo.parse(bytes, into: &info)
                sink &+= info.l4Offset
            }
            bestParse = min(bestParse, Double(cpuNow() - start) / Double(frames))
            if sink == 0 { print("") }
            start = cpuNow()
            for i in 0..<frames {
                let entry = Int(order[i & (orderCount - 1)])
                write(flow: entry >> 1, reply: entry & 1 != 0, into: frame.baseAddress!)
                if pass(table, bytes, &info, now: now, events: &events) == .updated { updated &+= 1 }
                now &+= 100
            }
            bestFlow = min(bestFlow, Double(cpuNow() - start) / Double(frames))
        }
        let allocations = Double(bk_allocation_count() - allocationsBefore) / Double(frames * runs * 2)
        guard updated == frames * runs else { fatalError("\(frames * runs - updated) frames missed their flow") }
        print(
            "  established, \(flows) flows, random order: parse+classify+commit \(PipelineBench.format(bestFlow)) ns/frame, "
                + "write+parse alone \(PipelineBench.format(bestParse)), table \(PipelineBench.format(bestFlow - bestParse)) ns/frame, "
                + "allocations/frame \(PipelineBench.format(allocations, digits: 4))")
        warmedBatches(
            table, order: order, orderCount: orderCount, template: bytes, frames: frames, runs: runs, now: now)
    }

    /// The same traffic in batches of 32 as a forwarding loop could take them off its ring: parse
    /// all, ``FlowTable/warm(frame:info:)`` all (their cache misses overlap), then classify and
    /// commit each. Measured against parsing the batches alone.
    static func warmedBatches(
        _ table: FlowTable, order: UnsafeMutablePointer<UInt32>, orderCount: Int, template: UnsafeRawBufferPointer,
        frames: Int, runs: Int, now start: UInt64
    ) {
        let batch = 32
        let stride = 128
        let memory = UnsafeMutableRawPointer.allocate(byteCount: batch * stride, alignment: 64)
        defer { memory.deallocate() }
        for j in 0..<batch { (memory + j * stride).copyMemory(from: template.baseAddress!, byteCount: template.count) }
        let infos = UnsafeMutablePointer<FrameInfo>.allocate(capacity: batch)
        infos.initialize(repeating: FrameInfo(), count: batch)
        defer { infos.deallocate() }
        var events = NoFlowEvents()
        var now = start
        var bestParse = Double.infinity
        var bestWarm = Double.infinity
        var updated = 0
        var sink: UInt64 = 0
        let allocationsBefore = bk_allocation_count()
        for _ in 0..<runs {
            for warm in [false, true] {
                let begin = cpuNow()
                for base in Swift.stride(from: 0, to: frames, by: batch) {
                    for j in 0..<batch {
                        let entry = Int(order[(base + j) & (orderCount - 1)])
                        write(flow: entry >> 1, reply: entry & 1 != 0, into: memory + j * stride)
                        let bytes = UnsafeRawBufferPointer(start: memory + j * stride, count: template.count)
                        FrameInfo.parse(bytes, into: &infos[j])
                    }
                    guard warm else {
                        sink &+= UInt64(infos[batch - 1].l4Offset)
                        continue
                    }
                    for j in 0..<batch {
                        let bytes = UnsafeRawBufferPointer(start: memory + j * stride, count: template.count)
                        sink &+= table.warm(frame: bytes, info: &infos[j])
                    }
                    for j in 0..<batch {
                        let bytes = UnsafeRawBufferPointer(start: memory + j * stride, count: template.count)
                        let lookup = table.classify(frame: bytes, info: &infos[j], now: now)
                        let outcome = table.commit(
                            lookup, forwarded: true, length: bytes.count, creator: 1, now: now, events: &events)
                        if outcome == .updated { updated &+= 1 }
                        now &+= 100
                    }
                }
                let ns = Double(cpuNow() - begin) / Double(frames)
                if warm { bestWarm = min(bestWarm, ns) } else { bestParse = min(bestParse, ns) }
            }
        }
        let allocations = Double(bk_allocation_count() - allocationsBefore) / Double(frames * runs * 2)
        guard updated == frames * runs else { fatalError("\(frames * runs - updated) frames missed their flow") }
        if sink == 1 { print("") }
        print(
            "  established, batches of 32 warmed first: parse+warm+classify+commit \(PipelineBench.format(bestWarm)) ns/frame, "
                + "parse alone \(PipelineBench.format(bestParse)), table \(PipelineBench.format(bestWarm - bestParse)) ns/frame, "
                + "allocations/frame \(PipelineBench.format(allocations, digits: 4))")
    }

    static func creationAndExpiry(count: Int, runs: Int) {
        var info = FrameInfo()
        let frame = template(flags: 0x02)
        defer { frame.deallocate() }
        let bytes = UnsafeRawBufferPointer(frame)
        var events = NoFlowEvents()
        var bestCreate = Double.infinity
        var bestExpire = Double.infinity
        var allocations: UInt64 = 0
        for _ in 0..<runs {
            let table = makeTable(capacity: count)
            var now: UInt64 = 1_000_000_000
            let allocationsBefore = bk_allocation_count()
            var start = cpuNow()
            var created = 0
            for flow in 0..<count {
                write(flow: flow, reply: false, into: frame.baseAddress!)
                if pass(table, bytes, &info, now: now, events: &events) == .created { created += 1 }
                now &+= 100
            }
            bestCreate = min(bestCreate, Double(cpuNow() - start) / Double(count))
            guard created == count else { fatalError("created \(created) of \(count)") }
            now &+= 121_000_000_000  // past syn-sent's 120 s
            start = cpuNow()
            var expired = 0
            while true {
                let removed = table.expire(now: now, budget: 4096, events: &events)
                if removed == 0 { break }
                expired += removed
            }
            bestExpire = min(bestExpire, Double(cpuNow() - start) / Double(count))
            allocations += bk_allocation_count() - allocationsBefore
            guard expired == count, table.statistics.inUse == 0 else { fatalError("expired \(expired) of \(count)") }
        }
        let perFlow = Double(allocations) / Double(count * runs * 2)
        print(
            "  new flows (SYN, \(count) into an empty table): \(PipelineBench.format(bestCreate)) ns/flow = "
                + "\(PipelineBench.format(1e3 / bestCreate, digits: 2)) M flows/s; expiry \(PipelineBench.format(bestExpire)) ns/flow = "
                + "\(PipelineBench.format(1e3 / bestExpire, digits: 2)) M flows/s; allocations/flow \(PipelineBench.format(perFlow, digits: 4))"
        )
    }

    static func earlyDrop(capacity: Int, count: Int) {
        let table = makeTable(capacity: capacity)
        var info = FrameInfo()
        let frame = template(flags: 0x02)
        defer { frame.deallocate() }
        let bytes = UnsafeRawBufferPointer(frame)
        var events = NoFlowEvents()
        var now: UInt64 = 1_000_000_000
        for flow in 0..<capacity {
            write(flow: flow, reply: false, into: frame.baseAddress!)
            _ = pass(table, bytes, &info, now: now, events: &events)
            now &+= 100
        }
        let allocationsBefore = bk_allocation_count()
        let start = cpuNow()
        var created = 0
        for flow in capacity..<(capacity + count) {
            write(flow: flow, reply: false, into: frame.baseAddress!)
            if pass(table, bytes, &info, now: now, events: &events) == .created { created += 1 }
            now &+= 100
        }
        let ns = Double(cpuNow() - start) / Double(count)
        let allocations = Double(bk_allocation_count() - allocationsBefore) / Double(count)
        guard created == count, table.statistics.evicted == UInt64(count) else { fatalError("early drop failed") }
        print(
            "  new flows into a full table (\(capacity) unassured, each evicts the oldest): \(PipelineBench.format(ns)) ns/flow, "
                + "allocations/flow \(PipelineBench.format(allocations, digits: 4))")
    }

    /// Resident memory in bytes, from /proc/self/statm.
    static func residentBytes() -> Int {
        guard let file = fopen("/proc/self/statm", "r") else { return 0 }
        defer { fclose(file) }
        var size = 0
        var resident = 0
        _ = withUnsafeMutablePointer(to: &size) { sizePointer in
            withUnsafeMutablePointer(to: &resident) { residentPointer in
                withVaList([sizePointer, residentPointer]) { vfscanf(file, "%ld %ld", $0) }
            }
        }
        return resident * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    static func resident(capacity: Int) {
        let before = residentBytes()
        let table = makeTable(capacity: capacity)
        let afterInit = residentBytes()
        var info = FrameInfo()
        let frame = template(flags: 0x02)
        defer { frame.deallocate() }
        var events = NoFlowEvents()
        for flow in 0..<capacity {
            write(flow: flow, reply: false, into: frame.baseAddress!)
            _ = pass(table, UnsafeRawBufferPointer(frame), &info, now: 1_000_000_000, events: &events)
        }
        let afterFill = residentBytes()
        let perFlow = Double(afterFill - before) / Double(capacity)
        print(
            "  resident at \(capacity) flows: \(PipelineBench.format(Double(afterFill - before) / 1_048_576)) MiB "
                + "(\(PipelineBench.format(perFlow)) bytes/flow; \(PipelineBench.format(Double(afterInit - before) / 1_048_576)) MiB at init; "
                + "table.memoryBytes \(PipelineBench.format(Double(table.memoryBytes) / Double(capacity))) bytes/flow), in use \(table.statistics.inUse)"
        )
    }
}
