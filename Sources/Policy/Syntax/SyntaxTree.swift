/// The parse of one file before `include`, `$define` and `@set` are resolved: values are still
/// the words written, because a value's meaning depends on the field that uses it.
enum SyntaxItem {
    case version(SyntaxVersion)
    case include(SyntaxInclude)
    case define(SyntaxDefine)
    case set(SyntaxSet)
    case map(SyntaxMap)
    case defaultVerdict(DefaultVerdict, keyword: Token)
    case defaults(SyntaxDefaults)
    case rule(SyntaxRule)
    case chain(SyntaxChain)
    case test(SyntaxTest)
}

/// `chain NAME { rule ...; rule ... }`: named rules that `jump` and `goto` reach.
struct SyntaxChain {
    var keyword: Token
    var name: String
    var nameToken: Token
    var rules: [SyntaxRule]
}

struct SyntaxVersion {
    var number: Int
    var numberToken: Token
}

struct SyntaxInclude {
    var pattern: String
    var patternToken: Token
}

/// `define NAME = VALUE`.
struct SyntaxDefine {
    var name: String
    var nameToken: Token
    var keyword: Token
    var value: ValueExpression
}

/// `set NAME = { ... }`, or nft's `set NAME { type T; flags F; elements = { ... } }`.
struct SyntaxSet {
    var name: String
    var nameToken: Token
    var keyword: Token
    var elements: [ValueExpression]
    /// The nft-style block's `type`, `flags`... (nil for `set NAME = { ... }`).
    var declaration: SyntaxSetDeclaration?
}

/// A value as written, resolved later against the field that uses it.
indirect enum ValueExpression {
    /// A word: a number, address, prefix, range, duration or named value.
    case literal(Token)
    /// Words joined by `|` (`syn|ack`): one bit mask.
    case flags([Token])
    /// `$NAME`.
    case define(Token)
    /// `@NAME`.
    case setReference(Token)
    /// `{ a, b-c, $d }`.
    case anonymousSet([ValueExpression], open: Token)
    /// `"text"`: only a define holds one (`define IF = "eth0"`), for where a string goes.
    case string(Token)
    /// `198.18.0.1 . 22`: one value per field of a concatenation, joined by `.`.
    case tuple([ValueExpression])

    /// The token a message about the whole value points at.
    var token: Token {
        switch self {
        case .literal(let token), .define(let token), .setReference(let token), .string(let token): return token
        case .flags(let tokens): return tokens[0]
        case .anonymousSet(_, let open): return open
        case .tuple(let parts): return parts[0].token
        }
    }

    /// Bytes from the start of the value to the end of its last token on the same line.
    var length: Int {
        switch self {
        case .flags(let tokens):
            let first = tokens[0]
            let last = tokens[tokens.count - 1]
            return last.location.line == first.location.line ? last.endColumn - first.location.column : first.length
        case .tuple(let parts):
            let first = parts[0].token
            let last = parts[parts.count - 1]
            guard last.token.location.line == first.location.line else { return parts[0].length }
            return last.token.location.column + last.length - first.location.column
        default:
            return token.length
        }
    }

    /// The value as written, for messages.
    var text: String {
        switch self {
        case .literal(let token): return token.text
        case .string(let token): return token.quoted
        case .flags(let tokens): return tokens.map(\.text).joined(separator: "|")
        case .define(let token): return "$" + token.text
        case .setReference(let token): return "@" + token.text
        case .anonymousSet(let elements, _): return "{ " + elements.map(\.text).joined(separator: ", ") + " }"
        case .tuple(let parts): return parts.map(\.text).joined(separator: " . ")
        }
    }
}

/// A field name as written (`ip saddr`): the field and the tokens spelling it.
struct SyntaxField {
    var field: Field
    var first: Token
    var last: Token
    /// Set when written with one of nft's names for it (`iifname`, `meta pkttype`); ``field`` is
    /// then the alias's base field.
    var alias: FieldAlias?
    /// The name as written, for messages.
    var name: String { alias == nil ? field.rawValue : (first == last ? first.text : first.text + " " + last.text) }
    var location: SourceLocation { first.location }
    var length: Int { last.endColumn - first.location.column }
}

/// `defaults { ... }` or the options after a verdict.
struct SyntaxOption {
    enum Name: String, CaseIterable {
        case delay
        case jitter
        case retries
    }
    var name: Name
    var nameToken: Token
    var value: ValueExpression
}

struct SyntaxDefaults {
    var keyword: Token
    var options: [SyntaxOption]
    /// Flow, answer and meter settings: each a name and the words after it.
    var stateOptions: [SyntaxStateOption] = []
}

/// `flow-timeout NAME D`, `flow-pickup strict`, `answer-rate 100/second`... in `defaults`.
struct SyntaxStateOption {
    var nameToken: Token
    var words: [Token]
}

enum SyntaxTerm {
    case field(SyntaxField, negated: Bool, value: ValueExpression)
    /// `ip saddr . tcp dport { 198.18.0.1 . 22 }` (or `!=`): the fields' values taken together.
    case concatenation([SyntaxField], negated: Bool, value: ValueExpression)
    /// `tcp flags & MASK == VALUE` (or `!=`), and nft 1.0's `tcp flags VALUE / MASK`.
    case masked(SyntaxMask)
    /// `tcp dport > 1023`.
    case ordered(SyntaxOrdering)
    case bpf(keyword: Token, negated: Bool, expression: Token)
    case limit(SyntaxLimit)
    case quota(SyntaxQuota)
}

/// A masked comparison as written: the field, the mask, `==` or `!=`, and the value.
struct SyntaxMask {
    var field: SyntaxField
    var mask: ValueExpression
    var negated: Bool
    var value: ValueExpression
}

/// `FIELD < VALUE` (or `>`, `<=`, `>=`) as written.
struct SyntaxOrdering {
    var field: SyntaxField
    var ordering: Ordering
    var operatorToken: Token
    var value: ValueExpression
}

/// `limit rate [over] RATE [burst N UNIT] [per FIELD [. FIELD ...]]` as written.
struct SyntaxLimit {
    var keyword: Token
    var over: Bool
    /// `10/second`, or `10` and `mbytes/second`.
    var rate: [Token]
    /// The number and the unit after `burst`.
    var burst: [Token]
    var burstKeyword: Token?
    var per: [SyntaxField]
}

/// `quota [over|until] N UNIT` as written.
struct SyntaxQuota {
    var keyword: Token
    var over: Bool
    var amount: Token
    var unit: Token
}

struct SyntaxStatement {
    enum Kind {
        case set(SyntaxField, ValueExpression)
        case vlanPush(ValueExpression)
        case vlanPop
        /// `tcp option maxseg size set rt mtu`.
        case segmentSizeToMTU
        /// With the token after `level`, if any (`flags` are checked as they are parsed).
        case log(prefix: Token?, level: Token? = nil)
        case pcap(Token)
        case mirror(Token)
        /// `add|update @SET { FIELD [timeout T] }`: the verb, the set, the field, the timeout.
        case setUpdate(verb: Token, set: Token, field: SyntaxField, timeout: Token?)
    }
    var kind: Kind
    var keyword: Token
}

struct SyntaxVerdict {
    var kind: VerdictKind
    var keyword: Token
    var options: [SyntaxOption]
    /// `reject with ...`: the words after `with`.
    var rejectWith: [Token] = []
    var withKeyword: Token?
}

/// Where evaluation goes instead of a verdict: `jump NAME`, `goto NAME`, `return`, or a verdict map.
enum SyntaxControl {
    case jump(keyword: Token, chain: Token)
    case goto(keyword: Token, chain: Token)
    case `return`(keyword: Token)
    case vmap(SyntaxVerdictMap)

    var keyword: Token {
        switch self {
        case .jump(let keyword, _), .goto(let keyword, _), .return(let keyword): return keyword
        case .vmap(let map): return map.field.first
        }
    }

    /// The word for messages (`jump`, `vmap`...).
    var word: String {
        switch self {
        case .jump: return "jump"
        case .goto: return "goto"
        case .return: return "return"
        case .vmap: return "vmap"
        }
    }
}

/// `FIELD vmap { VALUE : VERDICT, ... }`.
struct SyntaxVerdictMap {
    var field: SyntaxField
    var keyword: Token
    var elements: [SyntaxMapElement]
    /// `vmap @NAME`: the map declared at the top level (``elements`` is then empty).
    var reference: Token?
}

/// `map NAME { type TYPE : verdict; elements = { VALUE : VERDICT, ... } }` at the top level:
/// nft's named verdict map, for `FIELD vmap @NAME`.
struct SyntaxMap {
    var keyword: Token
    var name: String
    var nameToken: Token
    /// The key's type name (`inet_service`), nil when the declaration did not give one (reported).
    var keyType: Token?
    var elements: [SyntaxMapElement]
}

/// One `VALUE : VERDICT` of a verdict map.
struct SyntaxMapElement {
    enum Target {
        case verdict(SyntaxVerdict)
        case control(SyntaxControl)
    }
    var value: ValueExpression
    var target: Target
}

struct SyntaxRule {
    var keyword: Token
    var name: String
    var nameToken: Token
    var comment: String?
    /// The comment's string, or the `$define` holding it.
    var commentToken: Token?
    var matchKeyword: Token?
    var match: [SyntaxTerm] = []
    var statements: [SyntaxStatement] = []
    var verdict: SyntaxVerdict?
    /// `jump`, `goto`, `return` or a verdict map, in the verdict's place.
    var control: SyntaxControl?
    /// `counter` statements: no-ops (every rule counts), each noted.
    var counters: [Token] = []
    /// The chain the rule is written in (nil: the top level, the base chain).
    var chain: String?
    /// The parser reported an error inside the rule; later checks stay quiet about it.
    var hadError = false

    /// The verdict or control statement that ends the rule, and its word, for messages.
    var ending: (keyword: Token, word: String)? {
        if let verdict { return (verdict.keyword, verdict.kind.rawValue) }
        if let control { return (control.keyword, control.word) }
        return nil
    }
}

/// `FIELD VALUE` in a test's `packet` or `expect ... with`.
struct SyntaxFieldValue {
    var field: SyntaxField
    var value: ValueExpression
}

struct SyntaxExpectation {
    var keyword: Token
    var verdict: VerdictKind
    var rule: Token?
    var byDefault: Bool
    var fields: [SyntaxFieldValue]
    /// `answer none` (`answerNone`) or `answer FIELD VALUE ...`.
    var answerKeyword: Token?
    var answerNone = false
    var answerFields: [SyntaxFieldValue] = []
}

/// One `packet` line of a test with the `expect` line that follows it.
struct SyntaxTestStep {
    var packetKeyword: Token
    var packet: [SyntaxFieldValue]
    /// `repeat N` at the end of the packet line.
    var repeatCount: Token?
    /// The `wait D` lines before the packet.
    var waits: [Token] = []
    var expectation: SyntaxExpectation?
}

struct SyntaxTest {
    var keyword: Token
    var name: String
    var nameToken: Token
    var steps: [SyntaxTestStep] = []
    var hadError = false
}
