extension FrameInfo {
    /// Parses an Ethernet frame. Never traps, never allocates, never reads outside `bytes`.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> FrameInfo {
        fatalError("unimplemented: Frame helper")
    }
}
