import Foundation
import Policy
import Testing

/// Inputs the policy fuzzer (`make fuzz`, FuzzPolicy) found, replayed through the reader. Each
/// once hung or trapped `check`, startup and reload alike.
@Suite struct FuzzRegressionTests {
    /// The folder of the fuzzer's kept inputs, `Tests/FuzzCorpus/regressions/policy`.
    static var regressions: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<2 { url = url.deletingLastPathComponent() }
        return url.appendingPathComponent("FuzzCorpus/regressions/policy").path
    }

    /// A `}` where a top-level statement belongs stopped error recovery from moving on: the
    /// statement loop met the same `}` again forever, collecting one error per turn.
    @Test(.timeLimit(.minutes(1))) func aStrayClosingBraceAtTopLevelIsOneErrorAndParsingGoesOn() {
        let result = check("version 1\n}\ndefault forward\nrule \"x\" { drop }\n}}\n")
        #expect(errorSummary(result) == ["2:1 unexpected-token", "5:1 unexpected-token", "5:2 unexpected-token"])
        #expect(result.errors.first?.message == "expected a statement, found '}'")
    }

    /// The stray brace after a statement that ended in error (`define X = }`): recovery stops
    /// at the `}`, and the top level must still consume it.
    @Test(.timeLimit(.minutes(1))) func aStrayBraceEndingABrokenStatementIsConsumed() {
        let result = check("version 1\ndefault forward\ndefine X = }\n")
        #expect(result.policy == nil)
        #expect(result.errors.contains { $0.message == "expected a statement, found '}'" })
    }

    /// The exact input the fuzzer saved when it found the hang (a timeout artifact).
    @Test(.timeLimit(.minutes(1))) func theInputTheFuzzerFoundHangingNowFailsToCheck() throws {
        let path = Self.regressions + "/stray-close-brace-hang.policy"
        let bytes = try #require(FileManager.default.contents(atPath: path))
        let result = check(String(decoding: bytes, as: UTF8.self))
        #expect(result.policy == nil)
        #expect(result.errors.contains { $0.code == .unexpectedToken && $0.message.contains("found '}'") })
    }

    /// Describing a word of the wrong kind tried every dash as a range split and then every dash
    /// of each side again: exponential in the dashes. 22 dashes took over a minute; 60 now take
    /// no time, and the message is the same as for any other word that is no address.
    @Test(.timeLimit(.minutes(1))) func aValueWithManyDashesIsDescribedAtOnce() {
        let word = Array(repeating: "1", count: 61).joined(separator: "-")
        let error = singleError(wrapped("rule \"x\" {\n    match ip saddr \(word)\n    drop\n}\n"))
        #expect(error?.message == "'\(word)' is not an IPv4 address")
        #expect(error?.code == .invalidValue)
    }

    /// A range of single values is still described as one.
    @Test func aRangeIsStillDescribedAsARange() {
        let error = singleError(
            wrapped("rule \"x\" {\n    match ip saddr 02-00-00-00-00-01-02-00-00-00-00-09\n    drop\n}\n"))
        #expect(error?.message.contains("a MAC range") == true, "\(error?.message ?? "")")
    }

    /// The exact input the fuzzer saved (`ip6 nexthdr { ----...----tcp, ... }`).
    @Test(.timeLimit(.minutes(1))) func theInputWithManyDashesTheFuzzerFoundNowFailsToCheck() throws {
        let path = Self.regressions + "/many-dashes-describe-exponential.policy"
        let bytes = try #require(FileManager.default.contents(atPath: path))
        let result = check(String(decoding: bytes, as: UTF8.self))
        #expect(result.policy == nil)
        #expect(result.errors.contains { $0.message.hasPrefix("unknown ip6 nexthdr value '-----") })
    }
}
