import Limits
import Synchronization
import Testing

/// The dynamic set's table: nft's add and update, lazy expiry on the callers' clock, a fixed
/// size, and several threads at once.
@Suite struct DynamicSetTableTests {
    static let second: UInt64 = 1_000_000_000

    func address(_ n: Int) -> UInt128 { UInt128(0xC612_0000 + n) }

    @Test func addInsertsAndMembershipFollows() throws {
        let table = try DynamicSetTable(capacity: 8, seed: 1)
        #expect(!table.contains(address(1), now: 0))
        #expect(table.add(address(1), now: 0))
        #expect(table.contains(address(1), now: 0))
        #expect(!table.contains(address(2), now: 0))
        #expect(table.heldCount == 1 && table.insertions == 1)
        // Adding again changes nothing.
        #expect(table.add(address(1), now: 5))
        #expect(table.heldCount == 1 && table.insertions == 1)
        // Without a timeout an element stays.
        #expect(table.contains(address(1), now: UInt64.max - 1))
    }

    /// `add` does not refresh: the element expires its timeout after it was first added.
    @Test func addKeepsTheFirstExpiry() throws {
        let table = try DynamicSetTable(capacity: 8, defaultTimeout: 60 * Self.second, seed: 2)
        #expect(table.add(address(1), now: 0))
        #expect(table.add(address(1), now: 50 * Self.second))
        #expect(table.contains(address(1), now: 60 * Self.second - 1))
        #expect(!table.contains(address(1), now: 60 * Self.second))
        // Once expired, add inserts it afresh.
        #expect(table.add(address(1), now: 61 * Self.second))
        #expect(table.contains(address(1), now: 120 * Self.second))
        #expect(!table.contains(address(1), now: 121 * Self.second))
        #expect(table.heldCount == 1)
    }

    /// `update` inserts, and refreshes with its own timeout or the set's.
    @Test func updateRefreshes() throws {
        let table = try DynamicSetTable(capacity: 8, defaultTimeout: 60 * Self.second, seed: 3)
        #expect(table.update(address(1), now: 0, timeout: 30 * Self.second))
        #expect(!table.contains(address(1), now: 30 * Self.second))
        #expect(table.update(address(1), now: 31 * Self.second))
        #expect(table.update(address(1), now: 80 * Self.second))
        #expect(table.contains(address(1), now: 139 * Self.second))
        #expect(!table.contains(address(1), now: 140 * Self.second))
        let listed = table.elements(now: 100 * Self.second)
        #expect(listed.count == 1 && listed[0].key == address(1) && listed[0].expiry == 140 * Self.second)
    }

    /// A full set refuses, counts it, and takes elements again once some expired.
    @Test func fullSetRefusesUntilElementsExpire() throws {
        let table = try DynamicSetTable(capacity: 4, defaultTimeout: 10 * Self.second, seed: 4)
        for n in 0..<4 { #expect(table.add(address(n), now: 0)) }
        #expect(!table.add(address(9), now: 1))
        #expect(!table.update(address(10), now: 1))
        #expect(table.refused == 2)
        #expect(table.heldCount == 4)
        // Held elements are still found and refreshed while full.
        #expect(table.update(address(0), now: 2 * Self.second))
        // After the timeout the expired slots are reclaimed by inserts, without a scan per frame;
        // the refreshed element keeps its place.
        for n in 20..<23 { #expect(table.add(address(n), now: 11 * Self.second)) }
        #expect(table.liveCount(now: 11 * Self.second) == 4)
        #expect(!table.contains(address(1), now: 11 * Self.second))
        #expect(table.contains(address(0), now: 11 * Self.second))
        #expect(!table.add(address(30), now: 11 * Self.second))
        #expect(table.refused == 3)
        #expect(table.add(address(30), now: 12 * Self.second))
    }

    /// Every field value the datapath adds (IPv6 addresses use all 128 bits) is told apart.
    @Test func wideKeysAreExact() throws {
        let table = try DynamicSetTable(capacity: 1024, seed: 5)
        let base: UInt128 = 0x2001_0db8 << 96
        for n in 0..<1000 { #expect(table.add(base | UInt128(n) << 64 | UInt128(n), now: 0)) }
        for n in 0..<1000 {
            #expect(table.contains(base | UInt128(n) << 64 | UInt128(n), now: 0))
            #expect(!table.contains(base | UInt128(n) << 64 | UInt128(n + 1), now: 0))
        }
        #expect(table.liveCount(now: 0) == 1000)
    }

    @Test func sizeIsChecked() {
        #expect(throws: LimitError.setSizeOutOfRange(0)) { try DynamicSetTable(capacity: 0) }
        #expect(throws: LimitError.setSizeOutOfRange(DynamicSetTable.maximumCapacity + 1)) {
            try DynamicSetTable(capacity: DynamicSetTable.maximumCapacity + 1)
        }
    }

    /// Four threads adding overlapping keys at once: every key is held exactly once and the
    /// size is never exceeded.
    @Test func threadsShareOneSet() async throws {
        let table = try DynamicSetTable(capacity: 3000, seed: 6)
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for n in 0..<4000 { _ = table.add(UInt128((n * 7 + worker) % 4000), now: 0) }
                }
            }
        }
        #expect(table.heldCount == 3000)
        #expect(table.liveCount(now: 0) == 3000)
        let keys = Set(table.elements(now: 0).map(\.key))
        #expect(keys.count == 3000)
        #expect(table.refused > 0)
    }

    /// Four threads adding, refreshing and testing keys on their own moving clocks, in a set
    /// small enough to fill and expire: the size is never exceeded, every element listed is
    /// held, and a key a thread refreshed last is found by every thread.
    @Test func threadsAddRefreshAndExpireTogether() async throws {
        let table = try DynamicSetTable(capacity: 64, defaultTimeout: 1000, seed: 7)
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    var now: UInt64 = 0
                    for n in 0..<20_000 {
                        now += UInt64(1 + (n + worker) % 3)
                        let key = UInt128((n * 31 + worker * 7) % 200)
                        if n % 3 == 0 {
                            _ = table.update(key, now: now)
                        } else {
                            _ = table.add(key, now: now, timeout: 500)
                        }
                        _ = table.contains(UInt128(n % 200), now: now)
                        // A refused reservation counts itself for a moment before it backs out.
                        precondition(table.heldCount <= table.capacity + 4)
                    }
                }
            }
        }
        #expect(table.heldCount <= 64)
        #expect(table.liveCount(now: 0) <= table.heldCount)
        #expect(table.refused > 0)
        // Long after everything expired, the whole capacity is available again.
        for n in 0..<64 { #expect(table.add(UInt128(1000 + n), now: 1_000_000)) }
        #expect(table.liveCount(now: 1_000_000) == 64)
        #expect(table.elements(now: 1_000_000).allSatisfy { $0.key >= 1000 })
    }
}
