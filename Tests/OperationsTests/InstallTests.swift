import Foundation
import TestSupport
import Testing

@Suite("make install")
struct InstallTests {
    static func temporaryFolder() throws -> String {
        let folder = NSTemporaryDirectory() + "bk-install-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    static func make(_ target: String, _ variables: [String]) throws -> CommandResult {
        let result = Shell.result(
            ["make", "--no-print-directory", "-C", BuiltProduct.packageRoot, "-f", "deploy/install.mk", target]
                + variables)
        if result.status != 0 { throw TestFailure("make \(target) failed: \(result.errors)\(result.output)") }
        return result
    }

    static func mode(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? nil
    }

    @Test("install with DESTDIR lays out binary, unit, sysusers, config, examples, state folder and docs")
    func laysOutFiles() throws {
        let root = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let binary = try BuiltProduct.path("bridgekeeper")
        _ = try Self.make("install", ["DESTDIR=\(root)", "BRIDGEKEEPER_BINARY=\(binary)"])
        let expected: [(String, Int)] = [
            ("/usr/local/bin/bridgekeeper", 0o755),
            ("/usr/local/lib/systemd/system/bridgekeeper.service", 0o644),
            ("/usr/local/lib/sysusers.d/bridgekeeper.conf", 0o644),
            ("/usr/local/share/doc/bridgekeeper/operations.md", 0o644),
            ("/etc/bridgekeeper/policy", 0o640),
            ("/etc/bridgekeeper/bridgekeeper.env", 0o644),
            ("/etc/bridgekeeper/examples/default.policy", 0o644),
            ("/etc/bridgekeeper/examples/edge.policy", 0o644),
            ("/etc/bridgekeeper/examples/reflect.policy", 0o644),
            ("/var/lib/bridgekeeper", 0o750),
        ]
        for (path, mode) in expected {
            #expect(Self.mode(root + path) == mode, "\(path)")
        }
        #expect(FileManager.default.contentsEqual(atPath: root + "/usr/local/bin/bridgekeeper", andPath: binary))
        let unit = try String(
            contentsOfFile: root + "/usr/local/lib/systemd/system/bridgekeeper.service", encoding: .utf8)
        #expect(unit.contains("ExecStart=/usr/local/bin/bridgekeeper run --port-a ${PORT_A}"))
        #expect(unit.contains("ExecReload=/usr/local/bin/bridgekeeper reload"))
        let policy = try String(contentsOfFile: root + "/etc/bridgekeeper/policy", encoding: .utf8)
        #expect(
            policy
                == (try String(contentsOfFile: BuiltProduct.packageRoot + "/policies/default.policy", encoding: .utf8)))
        let users = try String(contentsOfFile: root + "/usr/local/lib/sysusers.d/bridgekeeper.conf", encoding: .utf8)
        #expect(users.contains("u bridgekeeper - \"Bridgekeeper inline bridge firewall\" /var/lib/bridgekeeper"))
    }

    @Test("a second install keeps the operator's policy and environment; uninstall keeps them too")
    func keepsOperatorFiles() throws {
        let root = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let binary = try BuiltProduct.path("bridgekeeper")
        _ = try Self.make("install", ["DESTDIR=\(root)", "BRIDGEKEEPER_BINARY=\(binary)"])
        let mine = "version 1\ndefault drop\n"
        try mine.write(toFile: root + "/etc/bridgekeeper/policy", atomically: true, encoding: .utf8)
        try "PORT_A=enp1s0\n".write(
            toFile: root + "/etc/bridgekeeper/bridgekeeper.env", atomically: true, encoding: .utf8)
        let again = try Self.make("install", ["DESTDIR=\(root)", "BRIDGEKEEPER_BINARY=\(binary)"])
        #expect(again.output.contains("keeping the existing \(root)/etc/bridgekeeper/policy"))
        #expect(try String(contentsOfFile: root + "/etc/bridgekeeper/policy", encoding: .utf8) == mine)
        #expect(
            try String(contentsOfFile: root + "/etc/bridgekeeper/bridgekeeper.env", encoding: .utf8)
                == "PORT_A=enp1s0\n")

        _ = try Self.make("uninstall", ["DESTDIR=\(root)"])
        let manager = FileManager.default
        #expect(!manager.fileExists(atPath: root + "/usr/local/bin/bridgekeeper"))
        #expect(!manager.fileExists(atPath: root + "/usr/local/lib/systemd/system/bridgekeeper.service"))
        #expect(!manager.fileExists(atPath: root + "/usr/local/lib/sysusers.d/bridgekeeper.conf"))
        #expect(!manager.fileExists(atPath: root + "/etc/bridgekeeper/examples"))
        #expect(manager.fileExists(atPath: root + "/etc/bridgekeeper/policy"))
        #expect(manager.fileExists(atPath: root + "/etc/bridgekeeper/bridgekeeper.env"))
        #expect(manager.fileExists(atPath: root + "/var/lib/bridgekeeper"))
    }

    @Test("PREFIX=/usr puts the unit where distributions keep theirs and points it at /usr/bin")
    func followsPrefix() throws {
        let root = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let binary = try BuiltProduct.path("bridgekeeper")
        _ = try Self.make("install", ["DESTDIR=\(root)", "PREFIX=/usr", "BRIDGEKEEPER_BINARY=\(binary)"])
        let unit = try String(contentsOfFile: root + "/usr/lib/systemd/system/bridgekeeper.service", encoding: .utf8)
        #expect(unit.contains("ExecStart=/usr/bin/bridgekeeper run"))
        #expect(unit.contains("Documentation=file:///usr/share/doc/bridgekeeper/operations.md"))
        #expect(FileManager.default.isExecutableFile(atPath: root + "/usr/bin/bridgekeeper"))
    }
}
