import Policy

/// The policy's `SourceLocation` (the name clashes with Swift Testing's in files importing both).
typealias PolicyLocation = SourceLocation

/// Where `t.policy` (or `file`) has line `line`, column `column`.
func at(_ line: Int, _ column: Int, _ file: String = "t.policy") -> PolicyLocation {
    PolicyLocation(file: file, line: line, column: column)
}
