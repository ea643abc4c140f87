/// The interface names of the bridge's two ports, which `iifname` and `oifname` are resolved
/// against: `run --port-a X --port-b Y`, and `check --port-a X --port-b Y` for a check of the
/// same policy away from the bridge.
public struct PortInterfaces: Sendable, Hashable {
    public var a: String
    public var b: String

    public init(a: String, b: String) {
        self.a = a
        self.b = b
    }

    /// The interface name of `port`.
    public func name(of port: PortName) -> String { port == .a ? a : b }
}
