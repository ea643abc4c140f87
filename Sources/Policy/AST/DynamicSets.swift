/// `set NAME = { ... }` or `set NAME { type T; ... }`: a named set. Its element kind is decided
/// by its declared type or the first field it is used with; using one set with fields of
/// different kinds is an error.
public struct NamedSet: Sendable, Hashable {
    public var name: String
    /// Elements as written, resolved to intervals of the kind of field that uses the set (for a
    /// dynamic set: its initial content, single values only).
    public var elements: [ValueInterval]
    /// The field kind the elements were resolved for (nil when the set is never used).
    public var valueKind: ValueKind?
    public var location: SourceLocation
    /// Set for a set the datapath adds to (`flags dynamic`, or used by `add` or `update`).
    public var dynamic: DynamicSetSpec?

    public init(
        name: String, elements: [ValueInterval], valueKind: ValueKind?, location: SourceLocation,
        dynamic: DynamicSetSpec? = nil
    ) {
        self.name = name
        self.elements = elements
        self.valueKind = valueKind
        self.location = location
        self.dynamic = dynamic
    }
}

/// What a dynamic set is declared as: its size, its elements' timeout, and the nft type it
/// mirrors as. Two declarations that are equal (with equal elements) keep a set's content across
/// a reload.
public struct DynamicSetSpec: Sendable, Hashable {
    /// The most elements it holds (`size N`; nft's 65535 when not given).
    public var size: Int
    /// `size` was written (the mirror gives the kernel the same).
    public var sizeWritten: Bool
    /// `timeout D` in nanoseconds: how long an element lives after it is added (nil: forever,
    /// unless its statement gives a timeout).
    public var timeout: UInt64?
    /// Elements may have timeouts (`flags timeout`, or a `timeout`).
    public var hasTimeouts: Bool
    /// The nft type name (`ipv4_addr`, `inet_service`...), for the mirror and the import.
    public var typeName: String
    /// The field the elements are values of (a field its type serves: `ip saddr` for
    /// `ipv4_addr`), for listing and the mirror's key length.
    public var keyField: Field

    public init(
        size: Int, sizeWritten: Bool, timeout: UInt64?, hasTimeouts: Bool, typeName: String, keyField: Field
    ) {
        self.size = size
        self.sizeWritten = sizeWritten
        self.timeout = timeout
        self.hasTimeouts = hasTimeouts
        self.typeName = typeName
        self.keyField = keyField
    }
}

/// `FIELD @set` or `FIELD != @set` where the set is dynamic: the frame's value of the field is
/// looked up at frame time. Equal: the frame has the field and its value is held (not expired);
/// not equal: the frame lacks the field or its value is not held.
public struct SetMembershipMatch: Sendable, Hashable {
    public var field: Field
    public var negated: Bool
    public var set: String
    public var location: SourceLocation
    public init(field: Field, negated: Bool = false, set: String, location: SourceLocation) {
        self.field = field
        self.negated = negated
        self.set = set
        self.location = location
    }
}

/// `add` or `update`.
public enum SetUpdateOperation: String, Sendable, Hashable {
    /// Inserts an absent element; a held one keeps its expiry.
    case add
    /// Inserts an absent element, and gives a held one a new expiry.
    case update
}

/// `add @set { FIELD [timeout T] }` and `update @set { FIELD [timeout T] }`, with nft's
/// semantics: the frame's value of the field goes into the set. A frame lacking the field, or a
/// full set, stops the rule there (nft breaks the rule): it neither decides nor goes on, and
/// evaluation continues with the next rule.
public struct SetUpdate: Sendable, Hashable {
    public var operation: SetUpdateOperation
    public var set: String
    public var field: Field
    /// `timeout T` in nanoseconds (nil: the set's timeout).
    public var timeout: UInt64?
    public var location: SourceLocation
    public init(
        operation: SetUpdateOperation, set: String, field: Field, timeout: UInt64? = nil, location: SourceLocation
    ) {
        self.operation = operation
        self.set = set
        self.field = field
        self.timeout = timeout
        self.location = location
    }
}
