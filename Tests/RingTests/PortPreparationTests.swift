import Ring
import TestSupport
import Testing

@Suite("Port preparation")
struct PortPreparationTests {
    /// Runs `prepare(names)` in a namespace set up by `setup`, restores at once, returns the error.
    private func refusal(
        _ names: [String], setup: @escaping @Sendable (TestNamespace) throws -> Void = { _ in }
    ) async throws -> PortSetupError? {
        try await TestNamespace.with(quiet: false) { namespace in
            try namespace.addVethPair("near", "far")
            try setup(namespace)
            return try await namespace.run { () -> PortSetupError? in
                do throws(PortSetupError) {
                    let preparation = try PortPreparation.prepare(names)
                    preparation.restore()
                    return nil
                } catch {
                    return error
                }
            }
        }
    }

    @Test("a missing interface is refused with a one-line fix")
    func missingInterface() async throws {
        let error = try await refusal(["near", "nosuch0"])
        #expect(error == .missingInterface("nosuch0"))
        #expect(error?.description == "interface 'nosuch0' does not exist: check the name with `ip link`")
    }

    @Test("the same interface twice is refused")
    func sameInterfaceTwice() async throws {
        let error = try await refusal(["near", "near"])
        #expect(error == .sameInterfaceTwice("near"))
        #expect(
            error?.description == "interface 'near' is given as both ports: a bridge needs two different interfaces")
    }

    @Test("a port with an IPv4 address is refused with the exact message")
    func addressedIPv4() async throws {
        let error = try await refusal(["near", "far"]) { namespace in
            try namespace.ip("address", "add", "198.18.0.1/24", "dev", "far")
        }
        #expect(error == .addressed(port: "far", address: "198.18.0.1"))
        #expect(
            error?.description
                == "interface 'far' has IP address 198.18.0.1: bridge ports must carry no address; "
                + "remove it with `ip address flush dev far`")
    }

    @Test("a port with a global IPv6 address is refused; link-local alone is accepted")
    func addressedIPv6() async throws {
        let global = try await refusal(["near", "far"]) { namespace in
            try namespace.ip("address", "add", "2001:db8::1/64", "dev", "near", "nodad")
        }
        #expect(global == .addressed(port: "near", address: "2001:db8::1"))

        let linkLocalOnly = try await refusal(["near", "far"]) { namespace in
            let appeared = try waitUntil {
                try namespace.ip("-6", "address", "show", "dev", "near").contains("fe80::")
            }
            guard appeared else { throw TestFailure("no link-local address appeared on near") }
        }
        #expect(linkLocalOnly == nil)
    }

    struct Snapshot: Sendable, Equatable {
        var offloads: String
        var disableIPv6: [String]
        var nearFlags: String
    }

    private func snapshot(_ namespace: TestNamespace) throws -> Snapshot {
        Snapshot(
            offloads: try namespace.exec("ethtool", "-k", "near"),
            disableIPv6: try ["near", "far"].map {
                try namespace.exec("cat", "/proc/sys/net/ipv6/conf/\($0)/disable_ipv6")
            },
            nearFlags: try namespace.ip("-o", "link", "show", "near").contains(",UP") ? "up" : "down")
    }

    @Test("prepare turns offloads and IPv6 off and brings the port up; restore puts all of it back, once")
    func restoreAfterTeardown() async throws {
        let (before, during, after, secondRestore, ports) = try await TestNamespace.with(quiet: false) { namespace in
            try namespace.ip("link", "add", "near", "type", "veth", "peer", "name", "far")
            try namespace.ip("link", "set", "far", "up")
            try namespace.exec("ethtool", "-K", "near", "gro", "on")
            let before = try snapshot(namespace)
            let stages = try await namespace.run { () -> (Snapshot, Snapshot, Int, [PortPreparation.Port]) in
                let preparation = try PortPreparation.prepare(["near", "far"])
                let during = try snapshot(namespace)
                let failures = preparation.restore()
                guard failures.isEmpty else { throw TestFailure("restore failed: \(failures)") }
                let after = try snapshot(namespace)
                return (during, after, preparation.restore().count, preparation.ports)
            }
            return (before, stages.0, stages.1, stages.2, stages.3)
        }
        #expect(ports.map(\.name) == ["near", "far"])
        #expect(ports.allSatisfy { $0.mtu == 1500 && $0.index > 0 })
        for feature in [
            "generic-receive-offload: off", "generic-segmentation-offload: off", "tcp-segmentation-offload: off",
            "tx-tcp6-segmentation: off", "tx-tcp-ecn-segmentation: off",
        ] {
            #expect(during.offloads.contains(feature), "\(feature)")
        }
        #expect(during.disableIPv6 == ["1\n", "1\n"])
        #expect(during.nearFlags == "up")
        #expect(before.offloads.contains("generic-receive-offload: on"))
        #expect(after == before)
        #expect(secondRestore == 0)
    }

    @Test("deinit restores when the caller forgets")
    func deinitRestores() async throws {
        let (before, after) = try await TestNamespace.with(quiet: false) { namespace in
            try namespace.addVethPair("near", "far")
            let before = try snapshot(namespace)
            try await namespace.run {
                _ = try PortPreparation.prepare(["near", "far"])
            }
            return (before, try snapshot(namespace))
        }
        #expect(after == before)
    }

    @Test("different MTUs are a warning, not an error")
    func mtuMismatch() async throws {
        let warnings = try await TestNamespace.with { namespace in
            try namespace.addVethPair("near", "far")
            try namespace.ip("link", "set", "far", "mtu", "9000")
            return try await namespace.run { () -> [PortWarning] in
                let preparation = try PortPreparation.prepare(["near", "far"])
                defer { preparation.restore() }
                return preparation.warnings
            }
        }
        #expect(warnings == [.mtuMismatch(port: "near", mtu: 1500, otherPort: "far", otherMTU: 9000)])
    }
}
