import Testing

@testable import Bridge

@Suite("Link propagation")
struct LinkPropagationTests {
    static let second: UInt64 = 1_000_000_000

    @Test func aLostLinkTakesTheOtherPortDownAndItsReturnBringsItBack() {
        var propagation = LinkPropagation()
        #expect(propagation.linkChanged(port: 0, up: false, now: 10 * Self.second) == [.takeDown(port: 1)])
        #expect(propagation.held == [false, true])
        // Port b going down is this bridge's own doing: not news.
        #expect(propagation.linkChanged(port: 1, up: false, now: 10 * Self.second + 1000) == [])
        #expect(propagation.linkChanged(port: 0, up: true, now: 12 * Self.second) == [.bringUp(port: 1)])
        #expect(propagation.held == [false, false])
        #expect(propagation.propagations == [0, 1])
    }

    @Test func bothDirections() {
        var propagation = LinkPropagation()
        #expect(propagation.linkChanged(port: 1, up: false, now: 5 * Self.second) == [.takeDown(port: 0)])
        #expect(propagation.linkChanged(port: 1, up: true, now: 7 * Self.second) == [.bringUp(port: 0)])
        #expect(propagation.propagations == [1, 0])
    }

    @Test func aFlappingLinkSwitchesTheOtherSideAtMostOnceASecond() {
        var propagation = LinkPropagation()
        var now = 100 * Self.second
        #expect(propagation.linkChanged(port: 0, up: false, now: now) == [.takeDown(port: 1)])
        now += Self.second / 10
        #expect(propagation.linkChanged(port: 0, up: true, now: now) == [], "within the hold-down")
        now += Self.second / 10
        #expect(propagation.linkChanged(port: 0, up: false, now: now) == [])
        now += Self.second / 10
        #expect(propagation.linkChanged(port: 0, up: true, now: now) == [])
        #expect(propagation.due(now: now + Self.second / 2) == [])
        // The hold-down over: the latest wanted state (a is up) is applied once.
        #expect(propagation.due(now: 101 * Self.second) == [.bringUp(port: 1)])
        #expect(propagation.due(now: 105 * Self.second) == [])
        #expect(propagation.propagations == [0, 1])
    }

    @Test func aPortThatIsDownItselfIsNotTakenDown() {
        var propagation = LinkPropagation()
        #expect(propagation.linkChanged(port: 1, up: false, now: Self.second) == [.takeDown(port: 0)])
        // Both cables pulled: b is held already; when a's own loss is reported it is ignored.
        #expect(propagation.linkChanged(port: 0, up: false, now: 2 * Self.second) == [])
        // b's cable comes back: a is brought up (and then reports its own state).
        #expect(propagation.linkChanged(port: 1, up: true, now: 3 * Self.second) == [.bringUp(port: 0)])
    }
}
