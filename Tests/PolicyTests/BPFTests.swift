import CPcap
import Policy
import Testing

@Suite("bpf matches are compiled by libpcap")
struct BPFTests {
    /// The program libpcap itself gives for `expression`, compiled here independently.
    private func reference(_ expression: String) -> [BPFInstruction] {
        guard let handle = pcap_open_dead(DLT_EN10MB, 262_144) else { return [] }
        defer { pcap_close(handle) }
        var program = bpf_program()
        guard pcap_compile(handle, &program, expression, 1, PCAP_NETMASK_UNKNOWN) == 0 else { return [] }
        defer { pcap_freecode(&program) }
        return (0..<Int(program.bf_len)).map {
            let insn = program.bf_insns[$0]
            return BPFInstruction(code: insn.code, jt: insn.jt, jf: insn.jf, k: insn.k)
        }
    }

    @Test func validProgramIsStored() throws {
        let expression = "tcp dst port 8080 and dst net 10.20.5.0/24"
        let text = wrapped(
            "rule \"web\" {\n    match tcp sport 1 bpf \"\(expression)\" bpf != \"vlan\"\n    forward\n}\n")
        let rule = try #require(policy(text)?.rules.first)
        #expect(rule.match.count == 3)
        guard case .bpf(let match) = rule.match[1], case .bpf(let negated) = rule.match[2] else {
            Issue.record("expected bpf terms")
            return
        }
        #expect(match.expression == expression)
        #expect(!match.negated)
        #expect(match.location == at(4, 23))
        #expect(!match.program.isEmpty)
        #expect(match.program == reference(expression))
        // The last instructions of a filter are the accept (snaplen) and reject returns.
        #expect(match.program.contains(BPFInstruction(code: 0x06, jt: 0, jf: 0, k: 262_144)))
        #expect(negated.negated && negated.expression == "vlan" && negated.program == reference("vlan"))
    }

    @Test func badExpressionGivesLibpcapsMessageAtTheString() throws {
        let text = wrapped("rule \"web\" {\n    match bpf \"tcp dst port 8080 and\"\n    forward\n}\n")
        let handle = try #require(pcap_open_dead(DLT_EN10MB, 262_144))
        defer { pcap_close(handle) }
        var program = bpf_program()
        #expect(pcap_compile(handle, &program, "tcp dst port 8080 and", 1, PCAP_NETMASK_UNKNOWN) != 0)
        let libpcapMessage = String(cString: pcap_geterr(handle))
        let error = try #require(singleError(text))
        #expect(error.code == .badBPF)
        #expect(error.location == at(4, 15))
        #expect(error.length == 23)
        #expect(error.message == "bad bpf expression: " + libpcapMessage)
        #expect(libpcapMessage.contains("syntax error"))
    }

    @Test func compilerIsSafeFromManyThreads() async {
        let expressions = (0..<32).map { "tcp port \(1000 + $0)" }
        let results = await withTaskGroup(of: Bool.self) { group in
            for expression in expressions {
                group.addTask { (try? BPFCompiler.compile(expression).get())?.isEmpty == false }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.count == 32 && results.allSatisfy { $0 })
    }
}
