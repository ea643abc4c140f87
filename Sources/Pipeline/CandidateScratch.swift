/// Per-thread working memory for merging the rule lists a frame's fields select.
public final class CandidateScratch: @unchecked Sendable {
    /// One list being merged: `rulePool[next ..< end]`.
    public struct Cursor {
        public var next: Int32
        public var end: Int32
    }

    public let cursors: UnsafeMutablePointer<Cursor>
    public let capacity: Int

    /// Room for `capacity` lists; the pipeline grows it when a policy needs more.
    public init(capacity: Int = 64) {
        self.capacity = capacity
        cursors = .allocate(capacity: capacity)
    }

    deinit {
        cursors.deallocate()
    }
}
