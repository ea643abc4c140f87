import Foundation
import Policy
import Testing

@Suite("include: globs, relative paths, cycles, missing files")
struct IncludeTests {
    @Test func globsAreReadInSortedOrderAndSplicedInPlace() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let main = try folder.write(
            "main.policy",
            """
            version 1
            rule "first" { match tcp dport 1; forward }
            include "rules.d/*.policy"
            rule "last" { match tcp dport 9; forward }
            default forward
            """)
        try folder.write("rules.d/20-b.policy", "rule \"b\" { match tcp dport 3; forward }\n")
        try folder.write("rules.d/10-a.policy", "version 1\nrule \"a\" { match tcp dport 2; forward }\n")
        try folder.write("rules.d/B-upper.policy", "rule \"upper\" { match tcp dport 4; forward }\n")
        try folder.write("rules.d/ignored.txt", "this is not policy text {\n")
        let result = PolicyReader.read(path: main)
        let checked = try #require(result.policy, "\(result.diagnostics.map(\.rendered))")
        // Bytewise order: digits sort before upper case.
        #expect(checked.rules.map(\.name) == ["first", "a", "b", "upper", "last"])
        #expect(
            checked.sources.map(\.path) == [
                main, folder.path + "/rules.d/10-a.policy", folder.path + "/rules.d/20-b.policy",
                folder.path + "/rules.d/B-upper.policy",
            ])
        #expect(checked.sources[2].contents == "rule \"b\" { match tcp dport 3; forward }\n")
        #expect(
            checked.rules[1].location == PolicyLocation(file: folder.path + "/rules.d/10-a.policy", line: 2, column: 1))
    }

    @Test func includesAreRelativeToTheIncludingFile() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let main = try folder.write("main.policy", "version 1\ninclude \"sub/inner.policy\"\ndefault drop\n")
        try folder.write("sub/inner.policy", "include \"deeper/*.policy\"\nset nets = { 10.0.0.0/8 }\n")
        try folder.write("sub/deeper/x.policy", "rule \"x\" { match ip saddr @nets; forward }\n")
        let checked = try #require(PolicyReader.read(path: main).policy)
        #expect(checked.rules.map(\.name) == ["x"])
        #expect(checked.sets.map(\.name) == ["nets"])
        #expect(checked.sources.map(\.path).last == folder.path + "/sub/deeper/x.policy")
    }

    @Test func relativeMainPathGivesRelativeDiagnosticPaths() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("pol/main.policy", "version 1\ninclude \"more.policy\"\ndefault drop\n")
        try folder.write("pol/more.policy", "rule \"x\" { match tcp dport 70000; forward }\n")
        // A relative path from the current folder: up to the root, then down to the file.
        let depth = FileManager.default.currentDirectoryPath.split(separator: "/").count
        let up = String(repeating: "../", count: depth)
        let relative = up + folder.path.dropFirst() + "/pol/main.policy"
        let result = PolicyReader.read(path: relative)
        #expect(result.errors.first?.location?.file == up + folder.path.dropFirst() + "/pol/more.policy")
        #expect(errorSummary(result) == ["1:28 value-out-of-range"])
    }

    @Test func globWithoutMatchesIsFine() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let main = try folder.write(
            "main.policy",
            "version 1\ninclude \"sets.d/*.policy\"\ninclude \"/nonexistent-bk/*.policy\"\ndefault drop\n")
        let result = PolicyReader.read(path: main)
        #expect(result.diagnostics.isEmpty)
        #expect(result.policy?.sources.count == 1)
    }

    @Test func missingPlainFileIsAnError() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let main = try folder.write("main.policy", "version 1\ninclude \"missing.policy\"\ndefault drop\n")
        let result = PolicyReader.read(path: main)
        #expect(errorSummary(result) == ["2:9 file-unreadable"])
        #expect(
            result.errors.first?.message
                == "cannot read '\(folder.path)/missing.policy': No such file or directory")
        #expect(result.policy == nil)
    }

    @Test func unreadableMatchIsAnError() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let main = try folder.write("main.policy", "version 1\ninclude \"d/*\"\ndefault drop\n")
        try FileManager.default.createDirectory(atPath: folder.path + "/d/sub", withIntermediateDirectories: true)
        let result = PolicyReader.read(path: main)
        #expect(errorSummary(result) == ["2:9 file-unreadable"])
        #expect(result.errors.first?.message == "cannot read '\(folder.path)/d/sub': Is a directory")
    }

    @Test func unreadableMainFileHasNoLocation() {
        let result = PolicyReader.read(path: "/nonexistent-bk/main.policy")
        #expect(result.policy == nil)
        #expect(result.errors.count == 1)
        #expect(result.errors.first?.location == nil)
        #expect(result.errors.first?.code == .fileUnreadable)
        #expect(
            result.errors.first?.rendered
                == "error: cannot read '/nonexistent-bk/main.policy': No such file or directory")
    }

    @Test func cycleIsReportedAtTheIncludeNamingTheChain() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("a.policy", "version 1\ninclude \"b.policy\"\ndefault drop\n")
        try folder.write("b.policy", "# b\ninclude \"c.policy\"\n")
        try folder.write("c.policy", "\n\ninclude \"a.policy\"\n")
        let a = folder.path + "/a.policy"
        let result = PolicyReader.read(path: a)
        #expect(result.errors.count == 1)
        let error = try #require(result.errors.first)
        #expect(error.code == .includeCycle)
        #expect(error.location == PolicyLocation(file: folder.path + "/c.policy", line: 3, column: 9))
        let p = folder.path
        #expect(error.message == "include cycle: \(p)/a.policy -> \(p)/b.policy -> \(p)/c.policy -> \(p)/a.policy")
    }

    @Test func selfIncludeThroughAGlob() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let main = try folder.write("main.policy", "version 1\ninclude \"*.policy\"\ndefault drop\n")
        try folder.write("other.policy", "rule \"o\" { drop }\n")
        let result = PolicyReader.read(path: main)
        #expect(errorSummary(result) == ["2:9 include-cycle"])
        #expect(result.errors.first?.message == "include cycle: \(main) -> \(main)")
    }

    @Test func declarationsAreSharedAcrossFiles() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let main = try folder.write(
            "main.policy",
            "version 1\nrule \"use\" { match ip saddr @remote; forward }\ninclude \"sets.policy\"\ndefault drop\n")
        try folder.write("sets.policy", "set remote = { 192.0.2.0/24 }\n")
        #expect(PolicyReader.read(path: main).policy?.sets.first?.valueKind == .ipv4)
    }

    @Test func duplicatesAcrossFilesNameTheFirstFile() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let main = try folder.write(
            "main.policy", "version 1\ndefault drop\nrule \"x\" { drop }\ninclude \"more.policy\"\n")
        try folder.write("more.policy", "default forward\nrule \"x\" { forward }\n")
        let result = PolicyReader.read(path: main)
        let more = folder.path + "/more.policy"
        #expect(
            result.errors.map(\.location) == [
                PolicyLocation(file: more, line: 1, column: 1), PolicyLocation(file: more, line: 2, column: 6),
            ])
        #expect(result.errors.map(\.code) == [.duplicateDefault, .duplicateRule])
        #expect(result.errors[1].message == "rule \"x\" is already defined at \(main):3:1")
    }

    @Test func parseTextStillReadsIncludesFromDisk() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("inc.policy", "rule \"inc\" { drop }\n")
        let text = "version 1\ninclude \"inc.policy\"\ndefault forward\n"
        let checked = try #require(PolicyReader.parse(text: text, path: folder.path + "/virtual.policy").policy)
        #expect(checked.rules.map(\.name) == ["inc"])
        #expect(checked.sources.first == SourceFile(path: folder.path + "/virtual.policy", contents: text))
    }
}
