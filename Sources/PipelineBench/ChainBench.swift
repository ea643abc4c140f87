import Loader
import Ruleset

#if canImport(Glibc)
    import Glibc
#endif

/// A policy written with three chains, rules that act and go on and a verdict map, against the
/// same rules written flat (each chain's rules carrying its jump's terms, the map as one rule
/// per element): the chained one should cost no more than about 10 % over the flat one.
/// `--chains-only` stops after it.
enum ChainBench {
    static let chained = """
        version 1
        default forward
        chain upstream {
            rule "no-telnet" { match tcp dport 23; drop }
            rule "log-smtp" { match tcp dport 25; log prefix "smtp" }
            rule "no-smb" { match tcp dport { 139, 445 }; drop }
            rule "blocked" { match ip saddr 198.18.200.0/24; drop }
        }
        chain web {
            rule "mark" { match tcp dport 80; ip dscp set af21 }
            rule "alt" { match tcp dport 8080; drop }
        }
        chain voice {
            rule "ef" { ip dscp set ef }
            rule "sip" { match udp dport 5060; accept }
        }
        rule "mark-dns" { match udp dport 53; ip dscp set cs2 }
        rule "from-a" { match iif a; jump upstream }
        rule "servers" {
            match ip daddr 198.19.0.0/16
            tcp dport vmap { 22 : accept, 80 : jump web, 8080 : jump web, 443 : accept }
        }
        rule "voice" { match udp dport { 5060, 10000-10100 }; jump voice }

        """

    static let flat = """
        version 1
        default forward
        rule "mark-dns" { match udp dport 53; ip dscp set cs2 }
        rule "no-telnet" { match iif a tcp dport 23; drop }
        rule "log-smtp" { match iif a tcp dport 25; log prefix "smtp" }
        rule "no-smb" { match iif a tcp dport { 139, 445 }; drop }
        rule "blocked" { match iif a ip saddr 198.18.200.0/24; drop }
        rule "ssh" { match ip daddr 198.19.0.0/16 tcp dport 22; accept }
        rule "mark" { match ip daddr 198.19.0.0/16 tcp dport 80; ip dscp set af21 }
        rule "alt" { match ip daddr 198.19.0.0/16 tcp dport 8080; drop }
        rule "https" { match ip daddr 198.19.0.0/16 tcp dport 443; accept }
        rule "ef" { match udp dport { 5060, 10000-10100 }; ip dscp set ef }
        rule "sip" { match udp dport 5060; accept }

        """

    /// Measures both; true when `--chains-only` asks to stop here.
    static func run(arguments: [String], frames: Int, runs: Int) -> Bool {
        let only = arguments.contains("--chains-only")
        guard only || arguments.contains("--chains") else { return false }
        let mix = FrameMix.make(count: 4096)
        var figures: [Double] = []
        for (name, text) in [("chained (3 chains)", chained), ("flat equivalent", flat)] {
            let path = "/tmp/bridgekeeper-bench-chains-\(getpid()).policy"
            PipelineBench.writeFile(path, text)
            defer { unlink(path) }
            let report = PolicyLoader.load(path: path)
            guard let loaded = report.loaded else {
                for d in report.diagnostics { print(d.rendered) }
                fatalError("the \(name) bench policy does not load")
            }
            var options = PolicyCompiler.Options()
            if arguments.contains("--chains-linear") { options.linearScanLimit = 64 }
            let compiled = PolicyCompiler.compile(loaded.compiled.policy, options: options)
            let (ns, allocations) = PipelineBench.measure(compiled, mix: mix, frames: frames, runs: runs)
            figures.append(ns)
            let pad = String(repeating: " ", count: max(0, 24 - name.count))
            print(
                "  \(name)\(pad)\(PipelineBench.format(ns)) ns/frame   allocations/frame "
                    + PipelineBench.format(allocations, digits: 4))
        }
        print("  chained / flat: \(PipelineBench.format(figures[0] / figures[1]))x")
        return only
    }
}
