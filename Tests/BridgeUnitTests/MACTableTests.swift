import Testing

@testable import Bridge

@Suite("MAC table")
struct MACTableTests {
    @Test func aLearnedSourceIsFoundOnItsPortAndMovesWithIt() {
        let table = MACTable(size: 64)
        table.learn(0x02_00_00_00_00_01, port: 0)
        table.learn(0x02_00_00_00_00_02, port: 1)
        #expect(table.port(of: 0x02_00_00_00_00_01) == 0)
        #expect(table.port(of: 0x02_00_00_00_00_02) == 1)
        table.learn(0x02_00_00_00_00_01, port: 1)
        #expect(table.port(of: 0x02_00_00_00_00_01) == 1)
    }

    @Test func unknownAndGroupAddressesGoToBothSegments() {
        let table = MACTable(size: 64)
        #expect(table.port(of: 0x02_00_00_00_00_07) == nil)
        table.learn(0x01_00_5e_00_00_01, port: 0)
        #expect(table.port(of: 0x01_00_5e_00_00_01) == nil, "a group address is never learned")
        #expect(table.port(of: 0xff_ff_ff_ff_ff_ff) == nil)
    }

    @Test func aCollisionForgetsTheOlderEntryInsteadOfAnsweringWrongly() {
        let table = MACTable(size: 1)
        table.learn(0x02_00_00_00_00_01, port: 0)
        table.learn(0x02_00_00_00_00_02, port: 1)
        #expect(table.port(of: 0x02_00_00_00_00_01) == nil)
        #expect(table.port(of: 0x02_00_00_00_00_02) == 1)
    }
}
