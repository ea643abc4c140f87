import Bridge
import Foundation
import Glibc
import TestSupport

/// Two hosts and a bridge between them, each in its own network namespace, and the real
/// `bridgekeeper` binary running in the bridge's namespace:
///
///     [ns a: a0 198.18.1.1/24 2001:db8:1::1/64] ==veth== [pa  ns br  pb] ==veth== [ns b: b0 198.18.1.2/24 2001:db8:1::2/64]
///
/// Everything is removed when ``with(_:)`` returns or throws.
final class BridgeTestbed: @unchecked Sendable {
    let a: TestNamespace
    let b: TestNamespace
    let bridge: TestNamespace
    let folder: String
    var controlPath: String { folder + "/control.sock" }
    var logPath: String { folder + "/bridgekeeper.log" }
    var policyPath: String { folder + "/test.policy" }
    private(set) var process: Process?
    /// Processes the test started through ``launch(in:_:)``; teardown stops those still running.
    private var helpers: [Process] = []

    static let addressA = "198.18.1.1"
    static let addressB = "198.18.1.2"
    static let address6A = "2001:db8:1::1"
    static let address6B = "2001:db8:1::2"

    private init(a: TestNamespace, b: TestNamespace, bridge: TestNamespace, folder: String) {
        self.a = a
        self.b = b
        self.bridge = bridge
        self.folder = folder
    }

    /// Builds the testbed, runs `body`, and tears everything down (stopping the bridge first).
    /// With `quietHosts`, IPv6 is off on both hosts (no addresses, no router solicitations or
    /// MLD reports of their own), for tests that count every frame a rule sees.
    static func with<T>(
        mtu: Int? = nil, quietHosts: Bool = false, _ body: (BridgeTestbed) async throws -> T
    ) async throws -> T {
        try await TestNamespace.with(quiet: quietHosts) { a in
            try await TestNamespace.with(quiet: quietHosts) { b in
                try await TestNamespace.with(quiet: true) { bridge in
                    let folder = try makeFolder()
                    let bed = BridgeTestbed(a: a, b: b, bridge: bridge, folder: folder)
                    defer {
                        bed.stopHelpers()
                        bed.stopIfRunning()
                        _ = try? Shell.run("rm", "-rf", folder)
                    }
                    try bed.wire(mtu: mtu, ipv6: !quietHosts)
                    return try await body(bed)
                }
            }
        }
    }

    private static func makeFolder() throws -> String {
        var template = Array("/tmp/bktest-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw TestFailure("mkdtemp failed")
        }
        return String(cString: made)
    }

    private func wire(mtu: Int?, ipv6: Bool) throws {
        try bridge.ip("link", "add", "pa", "type", "veth", "peer", "name", "a0", "netns", a.name)
        try bridge.ip("link", "add", "pb", "type", "veth", "peer", "name", "b0", "netns", b.name)
        for (host, name, v4, v6) in [
            (a, "a0", Self.addressA, Self.address6A), (b, "b0", Self.addressB, Self.address6B),
        ] {
            if let mtu { try host.ip("link", "set", name, "mtu", String(mtu)) }
            // Hosts on a real wire never send frames bigger than the MTU; on veth TSO/GSO would.
            try host.exec("ethtool", "-K", name, "tso", "off", "gso", "off")
            try host.ip("addr", "add", v4 + "/24", "dev", name)
            if ipv6 { try host.ip("addr", "add", v6 + "/64", "dev", name, "nodad") }
            try host.ip("link", "set", name, "up")
        }
        for port in ["pa", "pb"] {
            if let mtu { try bridge.ip("link", "set", port, "mtu", String(mtu)) }
            try bridge.ip("link", "set", port, "up")
        }
    }

    /// The `bridgekeeper` binary built next to the tests.
    static var binary: String {
        get throws { try BridgekeeperBinary.path }
    }

    /// The MAC address of `interface` in `namespace`.
    func mac(of interface: String, in namespace: TestNamespace) throws -> String {
        try namespace.exec("cat", "/sys/class/net/\(interface)/address").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Writes `text` as the policy file.
    func writePolicy(_ text: String) throws {
        try text.write(toFile: policyPath, atomically: true, encoding: .utf8)
    }

    /// Starts the bridge on pa/pb with `policy` and waits until its control socket answers;
    /// `environment` adds variables to the bridge's environment.
    func start(policy: String, arguments: [String] = [], environment: [String: String] = [:]) throws {
        try writePolicy(policy)
        let binary = try Self.binary
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            [
                "ip", "netns", "exec", bridge.name, try Self.binary, "run", "--port-a", "pa", "--port-b", "pb",
                "--policy", policyPath, "--control", controlPath, "--log-level", "debug",
            ] + arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let logFile = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = logFile
        process.standardError = logFile
        try process.run()
        self.process = process
        // Until the control socket answers, `status` failing is the expected answer; the last
        // failure is reported if it never does.
        var lastRefusal = ""
        let ready = waitUntil(timeout: 10) {
            guard process.isRunning else { return true }
            let answer = Shell.result(["ip", "netns", "exec", bridge.name, binary, "status", "--control", controlPath])
            lastRefusal = answer.errors + answer.output
            return answer.succeeded
        }
        guard ready, process.isRunning else {
            throw TestFailure("bridgekeeper did not start (status said: \(lastRefusal)): \(log(lines: 20))")
        }
    }

    /// Runs `bridgekeeper ARGS` in the bridge's namespace; throws on a non-zero exit.
    @discardableResult
    func bridgekeeper(_ arguments: String...) throws -> String {
        try Shell.run(["ip", "netns", "exec", bridge.name, try Self.binary] + arguments)
    }

    /// Runs `bridgekeeper ARGS` and returns its exit status and combined output.
    func bridgekeeperResult(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ip", "netns", "exec", bridge.name, try Self.binary] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// The running bridge's status.
    func status() throws -> StatusReport {
        let text = try bridgekeeper("status", "--json", "--control", controlPath)
        return try JSONDecoder().decode(StatusReport.self, from: Data(text.utf8))
    }

    /// Counter `name` of port `port` ("a" or "b"). The status lists every counter of every port,
    /// so one it lacks is a mistake in the test, which throws rather than reading as zero.
    func portCounter(_ port: String, _ name: String) throws -> UInt64 {
        guard let entry = try status().ports.first(where: { $0.name == port }) else {
            throw TestFailure("the status has no port \"\(port)\"")
        }
        guard let value = entry.counters[name] else {
            throw TestFailure("port \(port) has no counter \"\(name)\": \(entry.counters.keys.sorted())")
        }
        return value
    }

    /// Packets counted for rule `name`; throws when the running policy has no such rule.
    func rulePackets(_ name: String) throws -> UInt64 {
        guard let rule = try status().rules.first(where: { $0.name == name }) else {
            throw TestFailure("the running policy has no rule \"\(name)\"")
        }
        return rule.packets
    }

    /// Replaces the policy file and reloads through the control socket.
    func reload(policy: String) throws -> (status: Int32, output: String) {
        try writePolicy(policy)
        return try bridgekeeperResult(["reload", "--control", controlPath])
    }

    /// SIGTERM, then waits; returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        guard let process else { return -1 }
        process.terminate()
        process.waitUntilExit()
        self.process = nil
        return process.terminationStatus
    }

    /// Starts `arguments` (ping, a server...) in `namespace`, its standard output to the returned
    /// pipe. However the test ends, teardown stops it if it is still running.
    func launch(in namespace: TestNamespace, _ arguments: [String]) throws -> (process: Process, output: Pipe) {
        let helper = Process()
        helper.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        helper.arguments = ["ip", "netns", "exec", namespace.name] + arguments
        let output = Pipe()
        helper.standardOutput = output
        try helper.run()
        helpers.append(helper)
        return (helper, output)
    }

    /// A counter of `/sys/class/net/INTERFACE/statistics` (`tx_packets`, `rx_packets`...) in
    /// `namespace`.
    func interfaceStatistic(_ interface: String, _ name: String, in namespace: TestNamespace) throws -> UInt64 {
        let text = try namespace.exec("cat", "/sys/class/net/\(interface)/statistics/\(name)")
        guard let value = UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TestFailure("unreadable \(interface) \(name): \(text)")
        }
        return value
    }

    private func stopHelpers() {
        for helper in helpers where helper.isRunning {
            helper.terminate()
            if !waitUntil(timeout: 2, { !helper.isRunning }) { kill(helper.processIdentifier, SIGKILL) }
            helper.waitUntilExit()
        }
        helpers = []
    }

    private func stopIfRunning() {
        guard let process, process.isRunning else { return }
        process.terminate()
        let stopped = waitUntil(timeout: 5) { !process.isRunning }
        if !stopped { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// The last `lines` lines of the bridge's log; when the log cannot be read, a line that says
    /// so (which no test's `contains` check can mistake for a log line).
    func log(lines: Int = 40) -> String {
        do {
            let text = try String(contentsOfFile: logPath, encoding: .utf8)
            return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
        } catch {
            return "<cannot read the bridge's log \(logPath): \(error)>"
        }
    }

    /// Pings from `host` and returns how many replies came back and their round-trip times (ms).
    func ping(from host: TestNamespace, to address: String, count: Int, interval: String = "0.01", size: Int? = nil)
        throws -> (received: Int, rtts: [Double])
    {
        var arguments = [
            "ip", "netns", "exec", host.name, "ping", "-n", "-q", "-c", String(count), "-i", interval, "-W", "1",
        ]
        if let size { arguments += ["-s", String(size)] }
        arguments.removeAll { $0 == "-q" }
        arguments.append(address)
        // ping exits 1 when replies were missing (an answer a test asserts on) and 2 on an error.
        let result = Shell.result(arguments)
        guard result.status == 0 || result.status == 1 else {
            throw Shell.Failure(command: arguments, status: result.status, output: result.errors + result.output)
        }
        let output = result.output
        var rtts: [Double] = []
        for line in output.split(separator: "\n") {
            guard let range = line.range(of: "time=") else { continue }
            let value = line[range.upperBound...].prefix { $0 == "." || $0.isNumber }
            if let rtt = Double(value) { rtts.append(rtt) }
        }
        return (rtts.count, rtts)
    }
}
