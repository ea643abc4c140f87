import FuzzHarness
import Glibc

#if BRIDGEKEEPER_LIBFUZZER
    /// libFuzzer's entry point: one input, any bytes, read as UTF-8 policy text.
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOnePolicy(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
        let violations = PolicyHarness.check(UnsafeRawBufferPointer(start: data, count: size))
        if !violations.isEmpty { CorpusReplay.stop(on: violations) }
        return 0
    }
#else
    /// The plain build: `FuzzPolicy FILE|DIR...` replays inputs through the same checks;
    /// `FuzzPolicy --write-seeds DIR` writes the seed policies (shipped, fuzz-only, and every
    /// example in docs/policy.md).
    @main
    enum FuzzPolicyReplay {
        static func main() {
            let arguments = Array(CommandLine.arguments.dropFirst())
            if arguments.first == "--write-seeds", arguments.count == 2 {
                let seeds = SeedPolicies.all
                for seed in seeds {
                    guard RepositoryPaths.write(Array(seed.text.utf8), to: arguments[1] + "/" + seed.name) else {
                        CorpusReplay.printError("FuzzPolicy: cannot write \(arguments[1])/\(seed.name)")
                        exit(2)
                    }
                }
                print("\(seeds.count) seed policies written to \(arguments[1])")
                exit(0)
            }
            guard !arguments.isEmpty, !arguments[0].hasPrefix("-") else {
                CorpusReplay.printError("usage: FuzzPolicy FILE|DIR... | --write-seeds DIR")
                exit(2)
            }
            exit(CorpusReplay.run(paths: arguments) { PolicyHarness.check($0) })
        }
    }
#endif
