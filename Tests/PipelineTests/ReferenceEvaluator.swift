import Frame
import Policy
import Ruleset

/// The policy semantics written as plainly as possible, straight from the AST, to check the
/// compiled program and its index against: first rule whose terms all hold, else -1.
enum ReferenceEvaluator {
    static func firstMatch(_ policy: Policy, frame: [UInt8], port: UInt8) -> Int32 {
        let info = frame.withUnsafeBytes { FrameInfo.parse($0) }
        for (number, rule) in policy.rules.enumerated() {
            let holds = rule.match.allSatisfy { term in
                guard case .field(let match) = term else { return false }
                let value = info.value(of: FieldCode(match.field), port: port)
                let inSet: Bool
                if let value {
                    if match.field.isBitmask {
                        inSet = match.values.contains { value & $0.lo == $0.lo }
                    } else {
                        inSet = match.values.contains { $0.lo <= value && value <= $0.hi }
                    }
                } else {
                    inSet = false
                }
                return match.negated ? !inSet : inSet
            }
            if holds { return Int32(number) }
        }
        return -1
    }
}
