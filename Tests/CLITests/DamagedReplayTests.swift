import Capture
import Foundation
import TestSupport
import Testing

/// `bridgekeeper replay` on damaged captures: every whole frame before the damage is judged and
/// written, the damage is named on stderr and in the JSON, and the exit status is 3.
@Suite struct DamagedReplayTests {
    static let policy = "version 1\ndefault forward\nrule \"drop-53\" {\n    match udp dport 53\n    drop\n}\n"
    static let whole = [
        ReplayCommandTests.udp(80, marker: 1), ReplayCommandTests.udp(53, marker: 2),
        ReplayCommandTests.udp(80, marker: 3),
    ]
    /// A frame after the damage: never replayed.
    static let after = ReplayCommandTests.udp(80, marker: 99)

    /// A folder with the policy in it, removed by `body`'s end.
    static func inFolder<T>(_ body: (String) throws -> T) throws -> T {
        let policyPath = try CheckCommandTests.write(policy, name: "damage.policy")
        let folder = URL(fileURLWithPath: policyPath).deletingLastPathComponent().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        return try body(folder)
    }

    static func replay(_ folder: String, _ arguments: [String]) throws -> CommandResult {
        Shell.result([try BridgekeeperBinary.path, "replay", "--policy", folder + "/damage.policy"] + arguments)
    }

    /// The `--json` summary as an object.
    static func summary(_ result: CommandResult) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
    }

    @Test(arguments: CaptureBytes.Damage.allCases)
    func everyWholeFrameBeforeTheDamageIsReplayedAndTheDamageNamed(damage: CaptureBytes.Damage) throws {
        try Self.inFolder { folder in
            let path = folder + "/damaged.pcap"
            let (bytes, offset) = CaptureBytes.damaged(Self.whole, damage, after: Self.after)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let result = try Self.replay(
                folder,
                ["--in", path, "--forward", folder + "/fwd.pcap", "--drop", folder + "/drop.pcap", "--json"])
            #expect(result.status == 3, "\(result.errors)")
            #expect(try ReplayCommandTests.readCapture(folder + "/fwd.pcap") == [Self.whole[0], Self.whole[2]])
            #expect(try ReplayCommandTests.readCapture(folder + "/drop.pcap") == [Self.whole[1]])

            let summary = try Self.summary(result)
            #expect(summary["frames"] as? Int == 3)
            #expect(summary["forwarded"] as? Int == 2)
            #expect(summary["dropped"] as? Int == 1)
            let found = try #require(summary["damage"] as? [[String: Any]])
            #expect(found.count == 1)
            #expect(found.first?["file"] as? String == path)
            #expect(found.first?["frame"] as? Int == 4)
            #expect(found.first?["offset"] as? Int == offset)
            #expect(found.first?["kind"] as? String == damage.kind)
            let reason = try #require(found.first?["reason"] as? String)
            #expect(reason.contains(damage.reasonMentions), "\(reason)")

            let lines = result.errors.split(separator: "\n")
            #expect(lines.count == 1, "\(result.errors)")
            let expected =
                "bridgekeeper replay: capture \(path) is damaged at byte \(offset) (frame 4): \(reason); "
                + "replayed the 3 whole frames before it"
            #expect(lines.first.map(String.init) == expected, "\(expected)")
        }
    }

    @Test func libpcapsOwnWordsFollowTheReasonWhenLibpcapRefusedTheRecord() throws {
        try Self.inFolder { folder in
            let path = folder + "/cut.pcap"
            try Data(CaptureBytes.damaged(Self.whole, .cutMidRecord, after: Self.after).bytes)
                .write(to: URL(fileURLWithPath: path))
            let result = try Self.replay(folder, ["--in", path])
            #expect(result.status == 3)
            #expect(
                result.errors.contains("; libpcap: truncated dump file; tried to read 70 captured bytes, only got 30"),
                "\(result.errors)")
            // The table for people says it too.
            #expect(result.output.contains("\(path): replayed up to the damage (3 whole frames)"), "\(result.output)")
        }
    }

    @Test func logLinesAreWrittenForTheWholeFramesOnlyAndTheDamageLineComesLast() throws {
        let policyPath = try CheckCommandTests.write(
            "version 1\ndefault forward\nrule \"dns\" {\n    match udp dport 53\n    log prefix \"d53\"\n    drop\n}\n",
            name: "damage.policy")
        let folder = URL(fileURLWithPath: policyPath).deletingLastPathComponent().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/cut.pcap"
        let frames = [53, 80, 53].enumerated().map { ReplayCommandTests.udp(UInt16($1), marker: UInt8($0)) }
        let after = ReplayCommandTests.udp(53, marker: 9)
        try Data(CaptureBytes.damaged(frames, .garbageFraction, after: after).bytes)
            .write(to: URL(fileURLWithPath: path))
        let result = try Self.replay(folder, ["--in", path, "--drop", folder + "/drop.pcap"])
        #expect(result.status == 3, "\(result.errors)")
        let lines = result.errors.split(separator: "\n")
        #expect(lines.count == 3, "\(result.errors)")
        #expect(lines.prefix(2).allSatisfy { $0.hasPrefix("log: ") && $0.contains("d53") }, "\(result.errors)")
        #expect(lines.last?.hasPrefix("bridgekeeper replay: capture \(path) is damaged at byte ") == true)
        #expect(try ReplayCommandTests.readCapture(folder + "/drop.pcap") == [frames[0], frames[2]])
    }

    @Test func damageBeforeTheFirstFrameReplaysNothingAndStillSaysWhere() throws {
        try Self.inFolder { folder in
            let path = folder + "/empty.pcap"
            try Data(CaptureBytes.damaged([], .cutMidHeader, after: Self.after).bytes)
                .write(to: URL(fileURLWithPath: path))
            let result = try Self.replay(folder, ["--in", path, "--forward", folder + "/fwd.pcap", "--json"])
            #expect(result.status == 3, "\(result.errors)")
            #expect(try ReplayCommandTests.readCapture(folder + "/fwd.pcap").isEmpty)
            let found = try #require(try Self.summary(result)["damage"] as? [[String: Any]])
            #expect(found.first?["frame"] as? Int == 1)
            #expect(found.first?["offset"] as? Int == 24)
        }
    }

    @Test func anIntactCaptureExitsZeroWithNoDamageField() throws {
        try Self.inFolder { folder in
            let path = folder + "/whole.pcap"
            try Data(CaptureBytes.capture(Self.whole + [Self.after])).write(to: URL(fileURLWithPath: path))
            let result = try Self.replay(folder, ["--in", path, "--forward", folder + "/fwd.pcap", "--json"])
            #expect(result.status == 0, "\(result.errors)")
            #expect(result.errors.isEmpty)
            let summary = try Self.summary(result)
            #expect(summary["frames"] as? Int == 4)
            #expect(summary["damage"] == nil)
            #expect(!result.output.contains("damage"))
            #expect(
                try ReplayCommandTests.readCapture(folder + "/fwd.pcap") == [Self.whole[0], Self.whole[2], Self.after])
        }
    }

    @Test func aDamagedInputEndsAtItsDamageWhileTheOtherGoesOn() throws {
        try Self.inFolder { folder in
            let sideA = (0..<3).map { ReplayCommandTests.udp(80, marker: 10 + UInt8($0)) }
            let sideB = (0..<5).map { ReplayCommandTests.udp(80, source: 0xC612_0002, marker: 20 + UInt8($0)) }
            // b's frames fall half-way between a's: a0 b0 a1 b1 a2 b2 | (a damaged) b3 b4.
            let (bytesA, offsetA) = CaptureBytes.damaged(sideA, .cutMidRecord, after: Self.after)
            try Data(bytesA).write(to: URL(fileURLWithPath: folder + "/a.pcap"))
            try Data(CaptureBytes.capture(sideB, start: CaptureBytes.firstStamp + 500_000))
                .write(to: URL(fileURLWithPath: folder + "/b.pcap"))
            let result = try Self.replay(
                folder,
                [
                    "--in-a", folder + "/a.pcap", "--in-b", folder + "/b.pcap", "--forward", folder + "/fwd.pcap",
                    "--json",
                ])
            #expect(result.status == 3, "\(result.errors)")
            let expected = [sideA[0], sideB[0], sideA[1], sideB[1], sideA[2], sideB[2], sideB[3], sideB[4]]
            #expect(try ReplayCommandTests.readCapture(folder + "/fwd.pcap") == expected)
            let summary = try Self.summary(result)
            #expect(summary["frames"] as? Int == 8)
            let found = try #require(summary["damage"] as? [[String: Any]])
            #expect(found.map { $0["file"] as? String } == [folder + "/a.pcap"])
            #expect(found.first?["offset"] as? Int == offsetA)
            #expect(result.errors.split(separator: "\n").count == 1, "\(result.errors)")
            #expect(result.errors.contains("capture \(folder)/a.pcap is damaged at byte \(offsetA) (frame 4)"))
        }
    }

    @Test(arguments: [
        (
            "replay",
            "Exit status: 0 replayed; 1 the policy has errors or a capture could not be read or written; "
                + "3 replayed, but a capture was damaged"
        ),
        (
            "inject",
            "Exit status: 0 done; 1 the capture or the interface could not be used, or sending failed; "
                + "2 a bad option; 3 done, but the capture was damaged"
        ),
    ])
    func helpListsTheExitStatuses(command: String, statuses: String) throws {
        let result = Shell.result([try BridgekeeperBinary.path, command, "--help"])
        #expect(result.status == 0)
        // The help is wrapped to the terminal's width: compare with the line breaks taken out.
        let text = result.output.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(text.contains(statuses), "\(result.output)")
        #expect(text.contains("damaged capture"), "\(result.output)")
    }

    @Test func bothInputsDamagedAreBothNamed() throws {
        try Self.inFolder { folder in
            let sideA = (0..<2).map { ReplayCommandTests.udp(80, marker: 30 + UInt8($0)) }
            let sideB = (0..<4).map { ReplayCommandTests.udp(80, source: 0xC612_0002, marker: 40 + UInt8($0)) }
            let (bytesA, offsetA) = CaptureBytes.damaged(sideA, .garbageHeader, after: Self.after)
            let (bytesB, offsetB) = CaptureBytes.damaged(
                sideB, .cutMidHeader, after: Self.after, start: CaptureBytes.firstStamp + 500_000)
            try Data(bytesA).write(to: URL(fileURLWithPath: folder + "/a.pcap"))
            try Data(bytesB).write(to: URL(fileURLWithPath: folder + "/b.pcap"))
            let result = try Self.replay(
                folder,
                [
                    "--in-a", folder + "/a.pcap", "--in-b", folder + "/b.pcap", "--forward", folder + "/fwd.pcap",
                    "--json",
                ])
            #expect(result.status == 3, "\(result.errors)")
            let expected = [sideA[0], sideB[0], sideA[1], sideB[1], sideB[2], sideB[3]]
            #expect(try ReplayCommandTests.readCapture(folder + "/fwd.pcap") == expected)
            let found = try #require(try Self.summary(result)["damage"] as? [[String: Any]])
            #expect(found.map { $0["file"] as? String } == [folder + "/a.pcap", folder + "/b.pcap"])
            #expect(found.map { $0["offset"] as? Int } == [offsetA, offsetB])
            #expect(found.map { $0["frame"] as? Int } == [3, 5])
            #expect(result.errors.split(separator: "\n").count == 2, "\(result.errors)")
        }
    }
}
