import Foundation
import TestSupport
import Testing

@Suite("systemd unit")
struct UnitFileTests {
    static var unitPath: String { BuiltProduct.packageRoot + "/deploy/bridgekeeper.service" }

    /// The unit's `Key=value` lines (comments dropped), in order.
    static func settings() throws -> [(key: String, value: String)] {
        try String(contentsOfFile: unitPath, encoding: .utf8).split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#"), !line.hasPrefix("["), let equals = line.firstIndex(of: "=") else { return nil }
            return (String(line[..<equals]), String(line[line.index(after: equals)...]))
        }
    }

    static func value(_ key: String) throws -> String? {
        try settings().last(where: { $0.key == key })?.value
    }

    /// The unit as installed but pointing at a real binary, so `verify` can check the commands.
    static func verifiableCopy() throws -> (folder: String, unit: String) {
        let folder = NSTemporaryDirectory() + "bk-unit-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let binary = try BuiltProduct.path("bridgekeeper")
        let text = try String(contentsOfFile: unitPath, encoding: .utf8)
            .replacingOccurrences(of: "/usr/local/bin/bridgekeeper", with: binary)
        let unit = folder + "/bridgekeeper.service"
        try text.write(toFile: unit, atomically: true, encoding: .utf8)
        return (folder, unit)
    }

    /// systemd's version (252 on Debian 12). Without systemd-analyze the unit cannot be checked,
    /// and that fails the test with what to install: `make deps` installs package `systemd`.
    static func systemdVersion() throws -> Int {
        guard Shell.exists("systemd-analyze") else {
            throw TestFailure("systemd-analyze is not installed: install Debian package systemd (make deps)")
        }
        let result = Shell.result(["systemd-analyze", "--version"])
        guard let version = result.output.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else {
            throw TestFailure("systemd-analyze --version said: \(result.output)\(result.errors)")
        }
        return version
    }

    @Test("notify-reload with a synchronous ExecReload, hardening in place, least privilege via User=")
    func declaresNotifyReloadHardeningAndLeastPrivilege() throws {
        let types = try Self.settings().filter { $0.key == "Type" }.map(\.value)
        #expect(types == ["notify", "notify-reload"])
        #expect(try Self.value("ExecReload") == "/usr/local/bin/bridgekeeper reload")
        #expect(try Self.value("ReloadSignal") == "SIGCONT")
        #expect(try Self.value("ExecStart")?.hasPrefix("/usr/local/bin/bridgekeeper run --port-a ${PORT_A}") == true)
        #expect(try Self.value("User") == "bridgekeeper")
        #expect(try Self.value("AmbientCapabilities") == "CAP_NET_RAW CAP_NET_ADMIN")
        #expect(try Self.value("CapabilityBoundingSet") == "CAP_NET_RAW CAP_NET_ADMIN")
        let hardening = [
            "NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes",
            "RestrictAddressFamilies": "AF_PACKET AF_NETLINK AF_UNIX AF_INET AF_INET6",
            "RuntimeDirectory": "bridgekeeper", "StateDirectory": "bridgekeeper", "LockPersonality": "yes",
            "MemoryDenyWriteExecute": "yes", "SystemCallArchitectures": "native", "ProtectKernelModules": "yes",
            "Restart": "on-failure", "SystemCallFilter": "@system-service",
        ]
        for (key, value) in hardening {
            #expect(try Self.value(key) == value, "\(key)")
        }
    }

    @Test("systemd-analyze verify accepts the unit")
    func verifies() throws {
        let version = try Self.systemdVersion()
        let (folder, unit) = try Self.verifiableCopy()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = Shell.result(["systemd-analyze", "verify", unit])
        #expect(result.status == 0, "\(result.errors)")
        // systemd before 253 does not know notify-reload and ReloadSignal=: the unit says why it
        // carries Type=notify first. Nothing else may be reported.
        let known = ["Failed to parse service type, ignoring: notify-reload", "Unknown key 'ReloadSignal'"]
        for line in (result.errors + result.output).split(separator: "\n") {
            let tolerated = version < 253 && known.contains(where: { line.contains($0) })
            #expect(tolerated, "systemd-analyze verify: \(line)")
        }
    }

    @Test("systemd-analyze security rates the unit's exposure at 3.0 or less")
    func isHardened() throws {
        _ = try Self.systemdVersion()
        let (folder, unit) = try Self.verifiableCopy()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = Shell.result(["systemd-analyze", "security", "--offline=yes", "--no-pager", unit])
        let overall = (result.output + result.errors).split(separator: "\n").first(where: {
            $0.contains("Overall exposure level")
        })
        let score = overall.flatMap { line in
            line.split(separator: ":").last?.split(separator: " ").first.flatMap { Double($0) }
        }
        print("systemd-analyze security: \(overall.map(String.init) ?? result.errors)")
        #expect(score.map { $0 <= 3.0 } == true, "\(result.output)")
    }
}
