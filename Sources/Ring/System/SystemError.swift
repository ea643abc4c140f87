import Glibc

/// An `errno` value with the C library's text for it, for one-line error messages.
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The C `errno` value.
    public let code: Int32

    /// Wraps an `errno` value.
    public init(code: Int32) {
        self.code = code
    }

    /// The current thread's `errno`.
    public static var current: SystemError { SystemError(code: errno) }

    /// The C library's message, e.g. "Operation not permitted".
    public var description: String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }
}
