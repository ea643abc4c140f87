import Loader
import Policy

/// Test blocks for the imported policy, kept only where the policy's own evaluation agrees.
enum TestVerification {
    /// How many frames are tried per rule (each picks other values from the rule's sets).
    static let variants = 3

    /// Derives frames for every top-level rule with a verdict, runs them all through the
    /// compiled policy (as `check` does), and keeps the first that passes for each rule; a rule
    /// whose frames are all caught by earlier rules, or for which no frame can be made, gets a
    /// comment instead.
    static func addTests(to result: inout NftImporter.Result, assembly: PolicyAssembly) {
        let path = "imported.policy"
        let parsed = PolicyReader.parse(text: result.policy, path: path)
        guard let policy = parsed.policy, parsed.errors.isEmpty else {
            let needs = result.needs.isEmpty ? "" : " (it uses \(result.needs.joined(separator: ", ")))"
            let why = parsed.errors.first.map { ": \($0.message)" } ?? ""
            result.testsDropped = ["no test blocks: this Bridgekeeper cannot check the policy\(needs)\(why)"]
            return
        }
        var candidates: [[TestText]] = []
        for imported in assembly.topLevelRules where imported.verdict != nil {
            guard let rule = policy.rules.first(where: { $0.name == imported.name }) else { continue }
            var tries: [TestText] = []
            for variant in 0..<variants {
                switch TestDerivation.test(for: rule, variant: variant) {
                case .success(let lines):
                    let test = TestText.block(rule: rule.name, lines: lines)
                    if !tries.contains(test) { tries.append(test) }
                case .failure(let why): tries = [.none(rule: rule.name, why: why.reason)]
                }
            }
            candidates.append(tries)
        }
        // Every candidate runs once, each as a test block of its own name.
        let trial = candidates.flatMap { tries in
            tries.enumerated().map { index, test in
                guard case .block(let rule, let lines) = test else { return test }
                return .block(rule: index == 0 ? rule : "\(rule) #\(index + 1)", lines: lines)
            }
        }
        let report = PolicyLoader.load(text: assembly.text(tests: trial), path: path)
        let failed = Dictionary(
            report.tests.filter { !$0.passed }.map { ($0.name, $0.failure?.message ?? "it failed") },
            uniquingKeysWith: { first, _ in first })
        let tests: [TestText] = candidates.map { tries in
            for (index, test) in tries.enumerated() {
                guard case .block(let rule, _) = test else { return test }
                let name = TestName.of(index == 0 ? rule : "\(rule) #\(index + 1)")
                if failed[name] == nil && report.tests.contains(where: { $0.name == name }) { return test }
            }
            guard case .block(let rule, let lines) = tries[0] else { return tries[0] }
            let failure = failed[TestName.of(rule)] ?? "it did not run"
            let frames = lines.filter { $0.hasPrefix("packet ") }.map { "`\($0.dropFirst(7))`" }
            let what = frames.count == 1 ? "the frame \(frames[0])" : "the frames " + frames.joined(separator: " then ")
            return .none(
                rule: rule, why: "\(what) do\(frames.count == 1 ? "es" : "") not reach it: " + Self.shorten(failure))
        }
        result.policy = assembly.text(tests: tests)
        result.testsKept = tests.filter { if case .block = $0 { return true } else { return false } }.count
        result.testsDropped = tests.compactMap { test in
            if case .none(let rule, let why) = test { return "\(rule): \(why)" }
            return nil
        }
    }

    /// The test runner's message without its `test "NAME": ` lead.
    private static func shorten(_ message: String) -> String {
        guard message.hasPrefix("test \""), let end = message.firstIndex(of: ":") else { return message }
        return String(message[message.index(after: end)...].drop { $0 == " " })
    }
}
