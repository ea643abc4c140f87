import CFuzzShim

/// Heap allocations made while the harness watches a call that runs per frame (the pipeline's
/// `process` and `answer`), which must make none.
///
/// Counted by AddressSanitizer's allocator hooks, so only in the fuzz build (ASan linked in);
/// elsewhere ``isActive`` is false and nothing is counted.
enum AllocationWatch {
    /// Allocations are being counted.
    static let isActive: Bool = bk_fuzz_count_allocations() != 0

    /// Allocations counted so far (0 when not ``isActive``).
    @inline(__always)
    static var count: UInt64 { isActive ? UInt64(bk_fuzz_allocation_count()) : 0 }
}
