import Frame
import Loader
import Ruleset

#if canImport(Glibc)
    import Glibc
#endif

/// MSS clamping: SYNs with Linux's option list (the MSS first, after NOPs, behind QinQ, over
/// IPv6; half above the clamp, half below) through a policy that matches the option and clamps
/// with `set N` and `set rt mtu`, against the same frames through a policy that forwards them.
/// Allocations per frame must stay 0. `--segment-size` runs it before the rest,
/// `--segment-size-only` alone.
enum SegmentSizeBench {
    static let clamping = """
        version 1
        default forward
        rule "small" { match tcp option maxseg size 1-500; drop }
        rule "clamp-v4" { match tcp flags syn ether type ip; tcp option maxseg size set 1360 }
        rule "clamp-v6" { match tcp flags syn ether type ip6; tcp option maxseg size set rt mtu; forward }
        """
    static let plain = """
        version 1
        default forward
        rule "small" { match tcp dport 1-500; drop }
        rule "syn" { match tcp flags syn ether type ip; forward }
        """

    /// SYNs whose MSS lies at even and odd offsets, tagged and not, IPv4 and IPv6.
    static func mix(count: Int) -> [[UInt8]] {
        var random = SplitMix64(seed: 17)
        return (0..<count).map { _ in
            var tcp = FrameBuilder.TCP()
            tcp.sourcePort = UInt16(1024 + random.below(60000))
            tcp.destinationPort = 443
            tcp.flags = 0x02
            let mss = UInt16(1200 + random.below(600))
            let leading: [UInt8] = [[], [1], [1, 1], [4, 2]][random.below(4)]
            tcp.options =
                leading + [2, 4, UInt8(mss >> 8), UInt8(mss & 0xff), 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7]
            var builder = FrameBuilder()
            if random.below(4) == 0 {
                builder.vlanTags = [
                    FrameBuilder.VLANTag(id: 10, tpid: EtherType.qinq), FrameBuilder.VLANTag(id: 20),
                ]
            }
            if random.below(3) == 0 {
                var ip = FrameBuilder.IPv6()
                ip.transport = .tcp(tcp)
                builder.network = .ipv6(ip)
            } else {
                builder.network = .ipv4(FrameMix.ipv4(0xC612_0001, 0xC613_0001, .tcp(tcp)))
            }
            return builder.build()
        }
    }

    /// Measures both; true when `--segment-size-only` asks to stop here.
    static func run(arguments: [String], frames: Int, runs: Int) -> Bool {
        let only = arguments.contains("--segment-size-only")
        guard only || arguments.contains("--segment-size") else { return false }
        let mix = mix(count: 4096)
        for (name, text) in [("MSS clamp", clamping), ("same frames, no clamp", plain)] {
            let path = "/tmp/bridgekeeper-bench-mss-\(getpid()).policy"
            PipelineBench.writeFile(path, text)
            defer { unlink(path) }
            let report = PolicyLoader.load(path: path)
            guard let loaded = report.loaded else {
                for d in report.diagnostics { print(d.rendered) }
                fatalError("the \(name) bench policy does not load")
            }
            let (ns, allocations) = PipelineBench.measure(loaded.compiled, mix: mix, frames: frames, runs: runs)
            let pad = String(repeating: " ", count: max(0, 24 - name.count))
            print(
                "  \(name)\(pad)\(PipelineBench.format(ns)) ns/frame   allocations/frame "
                    + PipelineBench.format(allocations, digits: 4))
        }
        return only
    }
}
