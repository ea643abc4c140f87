import Answers

/// A checked policy: every `include` expanded, every `$define` and `@set` resolved to values,
/// every name and value validated. This is what the compiler and the nftables mirror read.
public struct Policy: Sendable, Hashable {
    /// The language version (`version 1`).
    public var version: Int
    /// The verdict for frames no rule matches.
    public var defaultVerdict: DefaultVerdict
    /// Where `default` was written.
    public var defaultLocation: SourceLocation
    /// Verdict options from `defaults { ... }`, applied where a rule's verdict leaves them out.
    public var defaults: VerdictOptions
    /// Flow tracking, answers and meters from `defaults { ... }`.
    public var stateDefaults: StateDefaults
    /// Named sets, in the order they were declared.
    public var sets: [NamedSet]
    /// Every rule, in file order (includes expanded where they were written): the top-level
    /// rules (the base chain, evaluated first) and the rules of each `chain`, each with its full
    /// name. A rule's index here is its number for counters and logs; ``FlatProgram`` gives the
    /// order of evaluation.
    public var rules: [Rule]
    /// `chain NAME { ... }` blocks, in file order.
    public var chains: [Chain]
    /// `test` blocks, in file order.
    public var tests: [TestBlock]
    /// Every file read (the main file first, then includes in the order read), with contents,
    /// so that a reload can hash exactly what it checked.
    public var sources: [SourceFile]

    public init(
        version: Int = 1, defaultVerdict: DefaultVerdict, defaultLocation: SourceLocation,
        defaults: VerdictOptions = VerdictOptions(), stateDefaults: StateDefaults = StateDefaults(),
        sets: [NamedSet] = [], rules: [Rule] = [], chains: [Chain] = [], tests: [TestBlock] = [],
        sources: [SourceFile] = []
    ) {
        self.version = version
        self.defaultVerdict = defaultVerdict
        self.defaultLocation = defaultLocation
        self.defaults = defaults
        self.stateDefaults = stateDefaults
        self.sets = sets
        self.rules = rules
        self.chains = chains
        self.tests = tests
        self.sources = sources
    }
}

/// One file that went into a policy.
public struct SourceFile: Sendable, Hashable {
    /// The path as it was opened (relative paths resolved against the including file's folder).
    public var path: String
    public var contents: String
    public init(path: String, contents: String) {
        self.path = path
        self.contents = contents
    }
}

/// `default forward` or `default drop`.
public enum DefaultVerdict: String, Sendable, Hashable {
    case forward
    case drop
}

/// `rule "NAME" { ... }`.
public struct Rule: Sendable, Hashable {
    /// Unique. A top-level rule's name is `[a-z0-9][a-z0-9-]{0,47}`; a rule in a chain is named
    /// `CHAIN/RULE`.
    public var name: String
    public var comment: String?
    /// The terms of the `match` line, ANDed. Empty: the rule matches every frame.
    public var match: [MatchTerm]
    /// Statements in written order; they run before the verdict.
    public var statements: [Statement]
    /// What happens once the statements ran: a verdict, going on, or a jump.
    public var action: RuleAction
    /// The chain the rule is written in; nil for a top-level rule (the base chain).
    public var chain: String?
    /// Where `rule` was written.
    public var location: SourceLocation

    public init(
        name: String, comment: String? = nil, match: [MatchTerm] = [], statements: [Statement] = [],
        verdict: Verdict, location: SourceLocation
    ) {
        self.init(
            name: name, comment: comment, match: match, statements: statements, action: .verdict(verdict),
            location: location)
    }

    public init(
        name: String, comment: String? = nil, match: [MatchTerm] = [], statements: [Statement] = [],
        action: RuleAction, chain: String? = nil, location: SourceLocation
    ) {
        self.name = name
        self.comment = comment
        self.match = match
        self.statements = statements
        self.action = action
        self.chain = chain
        self.location = location
    }

    /// The rule's terminal verdict; nil for a rule that goes on, jumps or maps.
    public var verdict: Verdict? {
        get {
            if case .verdict(let verdict) = action { return verdict }
            return nil
        }
        set {
            if let newValue { action = .verdict(newValue) }
        }
    }
}

/// One condition of a `match` line.
public enum MatchTerm: Sendable, Hashable {
    /// `FIELD VALUES` or `FIELD != VALUES`.
    case field(FieldMatch)
    /// `FIELD . FIELD { a . b, ... }` or `!=`: several fields compared together.
    case concatenation(ConcatenationMatch)
    /// `bpf "pcap-filter expression"`, compiled by libpcap for Ethernet frames.
    case bpf(BPFMatch)
    /// `limit rate [over] RATE [burst N UNIT] [per KEY]`: a token bucket (one per key with `per`).
    case limit(LimitMatch)
    /// `quota [over|until] N UNIT`: bytes counted per rule.
    case quota(QuotaMatch)
    /// `FIELD @set` or `FIELD != @set` on a dynamic set: membership tested at frame time.
    case setMembership(SetMembershipMatch)

    public var location: SourceLocation {
        switch self {
        case .field(let m): return m.location
        case .concatenation(let m): return m.location
        case .bpf(let m): return m.location
        case .limit(let m): return m.location
        case .quota(let m): return m.location
        case .setMembership(let m): return m.location
        }
    }

    /// The term keeps state from frame to frame (a bucket or a byte count): it must be tried in
    /// place, after the rule's stateless terms, and only for frames those let through.
    public var isStateful: Bool {
        switch self {
        case .limit, .quota: return true
        case .field, .concatenation, .bpf, .setMembership: return false
        }
    }
}

/// A field compared with a set of values. Equal: the frame has the field and its value lies in
/// one of `values` (for ``Field/tcpFlags``: has every bit of one of them). Not equal (`!=`): the
/// frame lacks the field, or its value lies in none of them.
public struct FieldMatch: Sendable, Hashable {
    public var field: Field
    public var negated: Bool
    /// Resolved values, as written (not sorted or merged).
    public var values: [ValueInterval]
    /// The named set when written as `@name`.
    public var setName: String?
    public var location: SourceLocation
    /// `tcp flags & MASK == VALUE` as written; `values` then hold every flags byte it matches.
    public var masked: MaskedMatch?

    public init(
        field: Field, negated: Bool = false, values: [ValueInterval], setName: String? = nil,
        location: SourceLocation, masked: MaskedMatch? = nil
    ) {
        self.field = field
        self.negated = negated
        self.values = values
        self.setName = setName
        self.location = location
        self.masked = masked
    }
}

/// A `bpf "..."` match, with the program libpcap compiled for it.
public struct BPFMatch: Sendable, Hashable {
    public var expression: String
    public var negated: Bool
    /// The classic BPF program (DLT_EN10MB, snaplen 262144), validated at check time.
    public var program: [BPFInstruction]
    public var location: SourceLocation

    public init(expression: String, negated: Bool = false, program: [BPFInstruction], location: SourceLocation) {
        self.expression = expression
        self.negated = negated
        self.program = program
        self.location = location
    }
}

/// One classic BPF instruction (`struct bpf_insn`).
public struct BPFInstruction: Sendable, Hashable {
    public var code: UInt16
    public var jt: UInt8
    public var jf: UInt8
    public var k: UInt32
    public init(code: UInt16, jt: UInt8, jf: UInt8, k: UInt32) {
        self.code = code
        self.jt = jt
        self.jf = jf
        self.k = k
    }
}

/// The terminal verdict of a rule.
public struct Verdict: Sendable, Hashable {
    public var kind: VerdictKind
    /// Options written on this verdict; nil where left out (then ``Policy/defaults`` apply).
    public var options: VerdictOptions
    /// The answer a `reject` sends (``Answers/RejectKind/automatic`` for a plain `reject`).
    public var answer: RejectKind?
    public var location: SourceLocation
    public init(
        kind: VerdictKind, options: VerdictOptions = VerdictOptions(), answer: RejectKind? = nil,
        location: SourceLocation
    ) {
        self.kind = kind
        self.options = options
        self.answer = kind == .reject ? answer ?? .automatic : nil
        self.location = location
    }
}

public enum VerdictKind: String, Sendable, Hashable {
    case forward
    case drop
    case reflect
    /// `reflect forward`: both.
    case reflectForward = "reflect forward"
    /// `reject [with ...]`: dropped, and the sender gets an answer (a TCP reset or an ICMP error).
    case reject

    /// The frame goes out of the other port.
    public var forwards: Bool { self == .forward || self == .reflectForward }
    /// The frame goes to the host port.
    public var reflects: Bool { self == .reflect || self == .reflectForward }
}

/// `delay D [jitter J]` and `retries N`. Durations in nanoseconds.
public struct VerdictOptions: Sendable, Hashable {
    public var delay: UInt64?
    public var jitter: UInt64?
    public var retries: Int?
    public init(delay: UInt64? = nil, jitter: UInt64? = nil, retries: Int? = nil) {
        self.delay = delay
        self.jitter = jitter
        self.retries = retries
    }

    /// These options, with `defaults` filling what is unset.
    public func filled(from defaults: VerdictOptions) -> VerdictOptions {
        VerdictOptions(
            delay: delay ?? defaults.delay, jitter: jitter ?? defaults.jitter, retries: retries ?? defaults.retries)
    }
}

/// `test "NAME" { packet ...; expect ...; [wait D;] packet ...; expect ...; ... }`: packets in
/// order, each with what must happen to it, run against one fresh flow table, meter state and
/// clock, so "the answer passes, the unsolicited one does not" can be written.
public struct TestBlock: Sendable, Hashable {
    public var name: String
    /// The packets, in order (at least one).
    public var steps: [TestStep]
    public var location: SourceLocation
    public init(name: String, steps: [TestStep], location: SourceLocation) {
        self.name = name
        self.steps = steps
        self.location = location
    }

    /// A test of one packet.
    public init(name: String, packet: TestPacket, expectation: Expectation, location: SourceLocation) {
        self.init(name: name, steps: [TestStep(packet: packet, expectation: expectation)], location: location)
    }

    /// The first packet.
    public var packet: TestPacket { steps[0].packet }
    /// What must happen to the first packet.
    public var expectation: Expectation { steps[0].expectation }
}

/// One `packet` line of a test (sent `repeatCount` times, back to back), `after` nanoseconds of
/// the test's clock from the packet before it (`wait D`), and its `expect` line.
public struct TestStep: Sendable, Hashable {
    public var packet: TestPacket
    public var expectation: Expectation
    /// `packet ... repeat N`: the same frame N times at the same moment, each expected to meet
    /// the same fate.
    public var repeatCount: Int
    /// The test clock moves on this far before the packet (`wait D` lines before it).
    public var after: UInt64
    public init(packet: TestPacket, expectation: Expectation, repeatCount: Int = 1, after: UInt64 = 0) {
        self.packet = packet
        self.expectation = expectation
        self.repeatCount = repeatCount
        self.after = after
    }
}

/// `packet FIELD VALUE ...`: single values only; the builder fills in the rest.
public struct TestPacket: Sendable, Hashable {
    /// The port the frame arrives on (`iif`, default `a`).
    public var iif: PortName
    /// Field values other than `iif`, in written order.
    public var fields: [FieldValue]
    public var location: SourceLocation
    public init(iif: PortName = .a, fields: [FieldValue], location: SourceLocation) {
        self.iif = iif
        self.fields = fields
        self.location = location
    }
}

/// A field with one value, as in `packet` and `expect ... with`.
public struct FieldValue: Sendable, Hashable {
    public var field: Field
    public var value: UInt128
    public var location: SourceLocation
    public init(field: Field, value: UInt128, location: SourceLocation) {
        self.field = field
        self.value = value
        self.location = location
    }
}

/// What a rejected test packet's answer must be.
public enum AnswerExpectation: Sendable, Hashable {
    /// `answer none`: no answer is sent (an ICMP error, a broadcast, a fragment...).
    case none
    /// `answer FIELD VALUE ...`: an answer is sent and has these field values.
    case fields([FieldValue])
}

/// `expect VERDICT [by "RULE"] [with FIELD VALUE ...] [answer ...]`.
public struct Expectation: Sendable, Hashable {
    public var verdict: VerdictKind
    /// The rule expected to decide; `by default` is written as nil with `byDefault` true.
    public var rule: String?
    /// `by default`: no rule matches.
    public var byDefault: Bool
    /// Field values the frame must have after rewrites.
    public var fields: [FieldValue]
    /// For `expect reject`: what the answer must be (`answer FIELD VALUE ...`, or `answer none`
    /// for a frame that gets no answer); nil when the test does not say.
    public var answer: AnswerExpectation?
    public var location: SourceLocation
    public init(
        verdict: VerdictKind, rule: String? = nil, byDefault: Bool = false, fields: [FieldValue] = [],
        answer: AnswerExpectation? = nil, location: SourceLocation
    ) {
        self.verdict = verdict
        self.rule = rule
        self.byDefault = byDefault
        self.fields = fields
        self.answer = answer
        self.location = location
    }
}
