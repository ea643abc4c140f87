/// Fields taken together and compared with a set of tuples, nft's concatenation
/// (`ip saddr . tcp dport { 198.18.0.1 . 22, 198.18.0.0/24 . 443 }`).
///
/// Equal: the frame has every field and, for one element, each field's value lies in that
/// element's values for it. Not equal (`!=`): no element holds that way (a frame lacking one of
/// the fields matches, as a single-field `!=` does).
public struct ConcatenationMatch: Sendable, Hashable {
    /// One tuple: per field, the values its part stands for (a prefix, a range, a named set of
    /// values in a `$define`).
    public struct Element: Sendable, Hashable {
        public var parts: [[ValueInterval]]
        public init(parts: [[ValueInterval]]) { self.parts = parts }
    }

    public var fields: [Field]
    public var negated: Bool
    public var elements: [Element]
    /// The named set when written as `@name`.
    public var setName: String?
    public var location: SourceLocation

    public init(
        fields: [Field], negated: Bool = false, elements: [Element], setName: String? = nil,
        location: SourceLocation
    ) {
        self.fields = fields
        self.negated = negated
        self.elements = elements
        self.setName = setName
        self.location = location
    }

    /// How the fields are written, for messages: `ip saddr . tcp dport`.
    public var fieldsText: String { fields.map(\.rawValue).joined(separator: " . ") }

    /// The element's parts as single-field terms, all of which hold when the element does.
    public func terms(of element: Element) -> [MatchTerm] {
        zip(fields, element.parts).map { field, values in
            .field(FieldMatch(field: field, values: values, location: location))
        }
    }
}

extension MatchTerm {
    /// The term is a concatenation (``ConcatenationMatch``).
    public var isConcatenation: Bool {
        if case .concatenation = self { true } else { false }
    }
}
