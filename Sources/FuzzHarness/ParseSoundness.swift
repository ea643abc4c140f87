import Frame

/// A parse that breaks ``FrameInfo/soundnessProblems(byteCount:)``, as harness violations.
enum ParseSoundness {
    static func violations(_ info: FrameInfo, count: Int) -> [HarnessViolation] {
        info.soundnessProblems(byteCount: count).map {
            HarnessViolation("parse-sound", "\($0) (\(count) bytes, present \(info.present.rawValue))")
        }
    }
}
