import Foundation
import Glibc
import TestSupport
import Testing

@testable import Operations

@Suite("Dropping privileges")
struct PrivilegeDropTests {
    /// Runs the probe (which drops to `user`) in a namespace of its own, with lo up.
    static func probe(_ arguments: [String], wrapper: [String] = []) async throws -> (Int32, [String: String]) {
        let binary = try BuiltProduct.path("bk-privdrop-probe")
        return try await TestNamespace.with { namespace in
            let result = Shell.result(["ip", "netns", "exec", namespace.name] + wrapper + [binary] + arguments)
            var fields: [String: String] = [:]
            for line in result.output.split(separator: "\n") {
                guard let equals = line.firstIndex(of: "=") else { continue }
                fields[String(line[..<equals])] = String(line[line.index(after: equals)...])
            }
            return (result.status, fields)
        }
    }

    static let nobody = "nobody"

    @Test("as nobody: uid, CapEff/CapPrm exactly NET_RAW+NET_ADMIN, nothing inheritable or ambient")
    func dropsToNobody() async throws {
        let account = try UserAccount.lookUp(Self.nobody)
        let (status, fields) = try await Self.probe([Self.nobody])
        #expect(status == 0, "\(fields)")
        #expect(fields["drop"] == "ok")
        let uid = String(account.uid)
        #expect(fields["uid"] == [uid, uid, uid, uid].joined(separator: ","))
        let gid = String(account.gid)
        #expect(fields["gid"] == [gid, gid, gid, gid].joined(separator: ","))
        // CAP_NET_ADMIN is bit 12, CAP_NET_RAW bit 13.
        #expect(fields["cap_eff"] == "3000")
        #expect(fields["cap_prm"] == "3000")
        #expect(fields["cap_inh"] == "0")
        #expect(fields["cap_amb"] == "0")
        #expect(fields["cap_bnd"] == "3000")
        #expect(fields["no_new_privs"] == "1")
    }

    @Test("after the drop: CAP_NET_RAW and CAP_NET_ADMIN work, the socket opened before still sends")
    func keepsWhatTheBridgeNeeds() async throws {
        let (status, fields) = try await Self.probe([Self.nobody])
        #expect(status == 0, "\(fields)")
        #expect(fields["early_socket"] == "ok")
        #expect(fields["new_packet_socket"] == "ok")
        #expect(fields["early_socket_send"] == "ok")
        #expect(fields["frame_seen"] == "yes")
        #expect(fields["net_admin_set_mtu"] == "ok")
    }

    @Test("after the drop: no CAP_SYS_ADMIN, no way back to root, no reading /etc/shadow")
    func losesEverythingElse() async throws {
        let (status, fields) = try await Self.probe([Self.nobody])
        #expect(status == 0, "\(fields)")
        #expect(fields["sys_admin_unshare_uts"] == "Operation not permitted")
        #expect(fields["setuid_root"] == "Operation not permitted")
        #expect(fields["read_etc_shadow"] == "Permission denied")
    }

    @Test("refusals: unknown user, root as target, not root, threads already running")
    func refuses() async throws {
        let unknown = try await Self.probe(["no-such-user-bk"])
        #expect(unknown.0 == 2)
        #expect(unknown.1["drop_error"] == PrivilegeError.unknownUser("no-such-user-bk").description)
        let root = try await Self.probe(["root"])
        #expect(root.1["drop_error"] == PrivilegeError.targetIsRoot("root").description)
        let account = try UserAccount.lookUp(Self.nobody)
        let notRoot = try await Self.probe(
            [Self.nobody], wrapper: ["setpriv", "--reuid=\(account.uid)", "--regid=\(account.gid)", "--clear-groups"])
        #expect(notRoot.0 == 2)
        #expect(notRoot.1["drop_error"]?.hasPrefix("--user needs bridgekeeper to start as root") == true)
        let threaded = try await Self.probe([Self.nobody, "--spawn-thread"])
        #expect(threaded.1["drop_error"] == PrivilegeError.threadsRunning(2).description)
    }

    @Test("a capability the process does not have cannot be kept")
    func refusesMissingCapability() throws {
        // Start without CAP_NET_ADMIN in the bounding (and so permitted) set: keeping it must fail,
        // saying which. The drop fails before the probe sends anything.
        let binary = try BuiltProduct.path("bk-privdrop-probe")
        let result = Shell.result(["setpriv", "--bounding-set=-net_admin", "--", binary, Self.nobody])
        #expect(result.status == 2)
        #expect(result.output.contains("drop_error=\(PrivilegeError.capabilityUnavailable(.netAdmin).description)"))
    }

    @Test("canRead judges a file with the user's eyes: mode bits, group, folder search permission")
    func checksReadability() throws {
        let account = try UserAccount.lookUp(Self.nobody)
        let folder = NSTemporaryDirectory() + "bk-read-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        chmod(folder, 0o755)
        let file = folder + "/policy"
        try Data("version 1\ndefault forward\n".utf8).write(to: URL(fileURLWithPath: file))

        chmod(file, 0o600)
        #expect(!PrivilegeDrop.canRead(path: file, as: Self.nobody))
        #expect(throws: PrivilegeError.notReadable(path: file, user: Self.nobody, errno: .permissionDenied)) {
            try PrivilegeDrop.checkReadable(file, by: Self.nobody)
        }
        // The check gave this thread its own identity back: root still reads the 0600 file.
        let fd = open(file, O_RDONLY)
        #expect(fd >= 0)
        close(fd)
        #expect(access(file, R_OK) == 0)

        chown(file, 0, account.gid)
        chmod(file, 0o640)
        #expect(PrivilegeDrop.canRead(path: file, as: Self.nobody))
        chmod(file, 0o644)
        #expect(PrivilegeDrop.canRead(path: file, as: Self.nobody))
        chmod(folder, 0o700)
        #expect(!PrivilegeDrop.canRead(path: file, as: Self.nobody))
        #expect(!PrivilegeDrop.canRead(path: folder + "/missing", as: Self.nobody))
        #expect(
            PrivilegeError.notReadable(path: file, user: "bridgekeeper", errno: .permissionDenied).description
                == "\(file) is not readable by user bridgekeeper (Permission denied); let its group read it: chgrp bridgekeeper \(file) && chmod g+r \(file)"
        )
    }

    @Test("/proc/PID/status lines parse into ids and capability sets")
    func parsesStatus() throws {
        let text = """
            Name:\tbridgekeeper
            Threads:\t3
            Uid:\t998\t998\t998\t998
            Gid:\t997\t997\t997\t997
            Groups:\t997 44
            NoNewPrivs:\t1
            CapInh:\t0000000000000000
            CapPrm:\t0000000000003000
            CapEff:\t0000000000003000
            CapBnd:\t000001ffffffffff
            CapAmb:\t0000000000000000

            """
        let status = try #require(ProcessStatus.parse(text))
        #expect(status.uids == [998, 998, 998, 998])
        #expect(status.groups == [997, 44])
        #expect(status.effective == .bridge)
        #expect(status.effective.description == "CAP_NET_ADMIN CAP_NET_RAW")
        #expect(status.bounding.contains(.netRaw) && status.bounding.numbers.count == 41)
        #expect(status.noNewPrivileges)
        #expect(status.threads == 3)
        #expect(ProcessStatus.parse("Name:\tx\n") == nil)
        let own = try #require(ProcessStatus.read())
        #expect(own.uids.first == getuid())
    }
}
