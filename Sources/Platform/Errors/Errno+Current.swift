@_exported import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

extension Errno {
    /// The calling thread's `errno`, as left by the system call that just failed.
    ///
    /// Read it right after the failing call: anything in between (even a log line) may change it.
    @inlinable
    public static var current: Errno { Errno(rawValue: Glibc.errno) }

    /// The error a call returned as its value (the pthread functions, `SO_ERROR`, the C shim's
    /// `0 or an errno value`), or nil for 0.
    @inlinable
    public init?(returned code: Int32) {
        guard code != 0 else { return nil }
        self.init(rawValue: code)
    }
}
