/// The body of nft's set declaration, `set NAME { type T; flags F; timeout D; size N;
/// elements = { ... }; comment "C" }`, as written. The resolver checks the type against every
/// use of the set.
struct SyntaxSetDeclaration {
    /// The block's `{`.
    var open: Token
    /// `type`, and its words (`ipv4_addr`, or `ipv4_addr . inet_service` for a concatenation).
    var typeKeyword: Token?
    var typeWords: [Token] = []
    /// `typeof`, and the fields after it (`typeof ip saddr`).
    var typeofKeyword: Token?
    var typeofFields: [SyntaxField] = []
    /// The words after `flags` (`interval`, `constant`, `timeout`, `dynamic`).
    var flags: [Token] = []
    var timeout: Token?
    var size: Token?
    var comment: Token?
}
