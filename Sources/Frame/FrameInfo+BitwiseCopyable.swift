/// A parsed frame's fields are plain integers, so a ``FrameInfo`` can be copied byte for byte:
/// into the log ring a forwarding thread hands to the control thread, for one.
extension FrameInfo: BitwiseCopyable {}

/// A set of presence bits (see ``FrameInfo``).
extension FieldPresence: BitwiseCopyable {}
