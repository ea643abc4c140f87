import CPcap
import Synchronization

/// Compiles pcap-filter expressions to classic BPF for Ethernet frames, exactly as tcpdump
/// would: `pcap_open_dead(DLT_EN10MB, 262144)`, `pcap_compile` with optimisation on and an
/// unknown netmask.
public enum BPFCompiler {
    /// `pcap_compile` keeps global parser state in older libpcap releases: one compile at a time.
    private static let lock = Mutex<Void>(())

    /// The snapshot length the programs are compiled for.
    public static let snapshotLength: Int32 = 262_144

    /// The program, or libpcap's own message (`pcap_geterr`) when the expression does not compile.
    public static func compile(_ expression: String) -> Result<[BPFInstruction], BPFCompileError> {
        lock.withLock { _ in
            guard let handle = pcap_open_dead(DLT_EN10MB, snapshotLength) else {
                return .failure(BPFCompileError(message: "libpcap could not open a dead handle"))
            }
            defer { pcap_close(handle) }
            var program = bpf_program()
            guard pcap_compile(handle, &program, expression, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
                let message = pcap_geterr(handle).map { String(cString: $0) } ?? "unknown libpcap error"
                return .failure(BPFCompileError(message: message))
            }
            defer { pcap_freecode(&program) }
            var instructions: [BPFInstruction] = []
            instructions.reserveCapacity(Int(program.bf_len))
            for i in 0..<Int(program.bf_len) {
                let insn = program.bf_insns[i]
                instructions.append(BPFInstruction(code: insn.code, jt: insn.jt, jf: insn.jf, k: insn.k))
            }
            return .success(instructions)
        }
    }
}

/// libpcap's reason for rejecting a filter expression.
public struct BPFCompileError: Error, Sendable, Hashable {
    public var message: String
}
