import FuzzHarness
import Glibc

#if BRIDGEKEEPER_LIBFUZZER
    /// The harness, with every policy loaded and compiled at the first input.
    private let harness: FrameHarness = {
        do {
            return try FrameHarness(policyFiles: FrameHarness.standardPolicyFiles)
        } catch {
            CorpusReplay.printError("FuzzFrame: \(error)")
            exit(2)
        }
    }()

    /// libFuzzer's entry point: one input, any bytes, taken as one Ethernet frame.
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOneFrame(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
        let violations = harness.check(UnsafeRawBufferPointer(start: data, count: size))
        if !violations.isEmpty { CorpusReplay.stop(on: violations) }
        return 0
    }
#else
    /// The plain build: `FuzzFrame FILE|DIR...` replays inputs through the same checks;
    /// `FuzzFrame --write-seeds DIR` writes the seed frames.
    @main
    enum FuzzFrameReplay {
        static func main() {
            let arguments = Array(CommandLine.arguments.dropFirst())
            if arguments.first == "--write-seeds", arguments.count == 2 {
                for seed in SeedFrames.all {
                    guard RepositoryPaths.write(seed.bytes, to: arguments[1] + "/" + seed.name) else {
                        CorpusReplay.printError("FuzzFrame: cannot write \(arguments[1])/\(seed.name)")
                        exit(2)
                    }
                }
                print("\(SeedFrames.all.count) seed frames written to \(arguments[1])")
                exit(0)
            }
            guard !arguments.isEmpty, !arguments[0].hasPrefix("-") else {
                CorpusReplay.printError("usage: FuzzFrame FILE|DIR... | --write-seeds DIR")
                exit(2)
            }
            let harness: FrameHarness
            do {
                harness = try FrameHarness(policyFiles: FrameHarness.standardPolicyFiles)
            } catch {
                CorpusReplay.printError("FuzzFrame: \(error)")
                exit(2)
            }
            exit(CorpusReplay.run(paths: arguments) { harness.check($0) })
        }
    }
#endif
