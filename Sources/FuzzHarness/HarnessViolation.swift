/// One property the harness found broken for one input: which check, and what it saw.
///
/// A violation is a finding: the fuzz entry points stop on the first input that has any (libFuzzer
/// then saves it as a crash artifact), and the replay tests expect none.
public struct HarnessViolation: Error, Sendable, Equatable, CustomStringConvertible {
    /// The check that failed, a short stable name (`guard-bytes`, `info-in-step`, ...).
    public var check: String
    /// What the check saw.
    public var detail: String

    /// A violation of `check`.
    public init(_ check: String, _ detail: String) {
        self.check = check
        self.detail = detail
    }

    /// `check: detail`.
    public var description: String { "\(check): \(detail)" }
}

/// The input a harness could not start without (a policy that does not load, a missing folder):
/// a mistake in the set-up, not a finding.
public struct HarnessSetupError: Error, Sendable, CustomStringConvertible {
    /// What is missing or broken, and where.
    public var description: String

    /// A set-up error saying `description`.
    public init(_ description: String) { self.description = description }
}

/// Collects violations during one input's checks.
struct ViolationLog {
    private(set) var items: [HarnessViolation] = []

    /// Records a violation of `check` when `condition` is false.
    mutating func expect(_ condition: Bool, _ check: String, _ detail: @autoclosure () -> String) {
        if !condition { items.append(HarnessViolation(check, detail())) }
    }

    /// Adds violations found elsewhere, prefixing their detail with `context` (only worked out
    /// when there are any: describing a value through reflection costs more than the checks).
    mutating func add(_ others: [HarnessViolation], context: @autoclosure () -> String) {
        guard !others.isEmpty else { return }
        let prefix = context()
        for other in others { items.append(HarnessViolation(other.check, prefix + ": " + other.detail)) }
    }
}
