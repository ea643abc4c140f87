import Frame
import Testing

/// Checks ``FrameInfo/soundnessProblems(byteCount:)`` for a parse of `count` bytes, recording an
/// issue for each broken invariant. Returns false when one does not hold.
@discardableResult
func expectSound(_ info: FrameInfo, count: Int) -> Bool {
    let problems = info.soundnessProblems(byteCount: count)
    for problem in problems { Issue.record("unsound parse of \(count) bytes: \(problem) (\(info))") }
    return problems.isEmpty
}
