import Flow
import Frame
import Testing

/// The TCP state machine against sequences of segments between a client and a server: after
/// each segment, the frame's ct state and direction and the flow's TCP state.
@Suite struct TCPStateMachineTests {
    typealias F = TCPFlag

    /// One segment and what must follow from it.
    struct Step: CustomStringConvertible {
        var fromClient: Bool
        var flags: UInt8
        var state: CTState
        /// The flow's TCP state afterwards; nil: there is no flow.
        var tcp: TCPState?

        static func c(_ flags: UInt8, _ state: CTState, _ tcp: TCPState?) -> Step {
            Step(fromClient: true, flags: flags, state: state, tcp: tcp)
        }
        static func s(_ flags: UInt8, _ state: CTState, _ tcp: TCPState?) -> Step {
            Step(fromClient: false, flags: flags, state: state, tcp: tcp)
        }
        var description: String { "\(fromClient ? "c" : "s") 0x\(String(flags, radix: 16))" }
    }

    struct Sequence: CustomTestStringConvertible, Sendable {
        var name: String
        var pickup: FlowPickup = .loose
        var steps: [Step]
        var testDescription: String { name }
    }

    static let handshake: [Step] = [
        .c(F.syn, .new, .synSent), .s(F.synAck, .established, .synReceived), .c(F.ack, .established, .established),
    ]

    static let sequences: [Sequence] = [
        Sequence(
            name: "handshake, data, client closes",
            steps: handshake + [
                .c(F.psh | F.ack, .established, .established), .s(F.psh | F.ack, .established, .established),
                .c(F.finAck, .established, .finWait), .s(F.ack, .established, .closeWait),
                .s(F.psh | F.ack, .established, .closeWait), .s(F.finAck, .established, .lastAck),
                .c(F.ack, .established, .timeWait), .c(F.ack, .established, .timeWait),
            ]),
        Sequence(
            name: "server closes first; the second FIN's own ACK does not end LAST_ACK",
            steps: handshake + [
                .s(F.finAck, .established, .finWait), .s(F.finAck, .established, .finWait),
                .c(F.ack, .established, .closeWait), .c(F.finAck, .established, .lastAck),
                .c(F.ack, .established, .lastAck), .s(F.ack, .established, .timeWait),
            ]),
        Sequence(
            name: "simultaneous close",
            steps: handshake + [
                .c(F.finAck, .established, .finWait), .s(F.finAck, .established, .lastAck),
                .s(F.ack, .established, .lastAck), .c(F.ack, .established, .timeWait),
            ]),
        Sequence(
            name: "reset by the server",
            steps: handshake + [.s(F.rst, .established, .close), .c(F.ack, .established, .close)]),
        Sequence(
            name: "reset by the client with ACK",
            steps: handshake + [.c(F.rstAck, .established, .close)]),
        Sequence(
            name: "connection refused",
            steps: [.c(F.syn, .new, .synSent), .s(F.rstAck, .established, .close)]),
        Sequence(
            name: "retransmitted SYN and SYN-ACK",
            steps: [
                .c(F.syn, .new, .synSent), .c(F.syn, .new, .synSent), .s(F.synAck, .established, .synReceived),
                .s(F.synAck, .established, .synReceived), .c(F.ack, .established, .established),
            ]),
        Sequence(
            name: "SYN in established is ignored, a SYN-ACK from the client is invalid",
            steps: handshake + [
                .c(F.syn, .established, .established), .s(F.syn, .established, .established),
                .c(F.synAck, .invalid, .established), .s(F.synAck, .established, .established),
            ]),
        Sequence(
            name: "simultaneous open",
            steps: [
                .c(F.syn, .new, .synSent), .s(F.syn, .established, .synSent2),
                .s(F.synAck, .established, .synReceived), .c(F.synAck, .established, .synReceived),
                .s(F.ack, .established, .established),
            ]),
        Sequence(
            name: "the originator's ACK in SYN_SENT is invalid; a FIN there too",
            steps: [.c(F.syn, .new, .synSent), .c(F.ack, .invalid, .synSent), .s(F.finAck, .invalid, .synSent)]),
        Sequence(
            name: "a reply ACK in SYN_RECV waits for the originator's",
            steps: [
                .c(F.syn, .new, .synSent), .s(F.synAck, .established, .synReceived),
                .s(F.ack, .established, .synReceived), .c(F.ack, .established, .established),
            ]),
        Sequence(
            name: "a SYN reopens a connection in TIME_WAIT",
            steps: handshake + [
                .c(F.finAck, .established, .finWait), .s(F.finAck, .established, .lastAck),
                .c(F.ack, .established, .timeWait), .c(F.syn, .new, .synSent),
                .s(F.synAck, .established, .synReceived),
            ]),
        Sequence(
            name: "a SYN reopens a reset connection",
            steps: handshake + [.s(F.rst, .established, .close), .c(F.syn, .new, .synSent)]),
        Sequence(
            name: "loose pickup: a bare ACK makes a new flow, the answer establishes it",
            steps: [
                .c(F.psh | F.ack, .new, .established), .c(F.ack, .new, .established),
                .s(F.ack, .established, .established), .c(F.ack, .established, .established),
            ]),
        Sequence(
            name: "strict: nothing but a SYN creates a flow",
            pickup: .strict,
            steps: [.c(F.ack, .invalid, nil), .s(F.ack, .invalid, nil), .c(F.syn, .new, .synSent)]),
        Sequence(
            name: "SYN-ACK, FIN and RST on an unknown flow are invalid",
            steps: [
                .s(F.synAck, .invalid, nil), .c(F.finAck, .invalid, nil), .c(F.rst, .invalid, nil),
                .c(F.rstAck, .invalid, nil),
            ]),
        Sequence(
            name: "invalid flag combinations, on unknown and known flows",
            steps: [
                .c(0, .invalid, nil), .c(F.syn | F.fin, .invalid, nil), .c(F.fin, .invalid, nil),
                .c(F.syn | F.rst, .invalid, nil),
            ] + handshake + [
                .c(0, .invalid, .established), .c(F.fin, .invalid, .established),
                .s(F.syn | F.fin | F.ack, .invalid, .established),
                .c(F.fin | F.syn | F.rst | F.ack, .invalid, .established),
                .c(F.ack | F.psh | F.urg | F.ece | F.cwr, .established, .established),
                .c(F.syn | F.ece | F.cwr, .established, .established),
            ]),
    ]

    @Test(arguments: sequences)
    func sequence(_ sequence: Sequence) throws {
        let harness = try Harness(settings: FlowSettings(pickup: sequence.pickup))
        for (number, step) in sequence.steps.enumerated() {
            let frame =
                step.fromClient
                ? Frames.tcp4(Address.client, 40000, Address.server, 443, step.flags)
                : Frames.tcp4(Address.server, 443, Address.client, 40000, step.flags)
            let (lookup, _) = harness.send(frame)
            let context = Comment(rawValue: "step \(number) (\(step))")
            #expect(lookup.state == step.state, context)
            if step.state == .invalid {
                #expect(lookup.direction == nil, context)
            } else {
                let expected: CTDirection = step.fromClient ? .original : .reply
                #expect(lookup.direction == expected, context)
            }
            let flows = harness.flows
            if let tcp = step.tcp {
                try #require(flows.count == 1, context)
                #expect(flows[0].tcpState == tcp, context)
                #expect(flows[0].tuple.source == FlowAddress.mapped(Address.client), context)
            } else {
                #expect(flows.isEmpty, context)
            }
            harness.advance(0.001)
        }
        #expect(harness.table.integrityProblems().isEmpty)
    }

    @Test func handshakeMakesTheFlowAssuredAndPickupWaitsForTheAnswer() throws {
        let harness = try Harness()
        harness.send(Frames.tcp4(Address.client, 40000, Address.server, 443, F.syn))
        harness.send(Frames.tcp4(Address.server, 443, Address.client, 40000, F.synAck))
        #expect(try !harness.onlyFlow().assured)
        harness.send(Frames.tcp4(Address.client, 40000, Address.server, 443, F.ack))
        #expect(try harness.onlyFlow().assured)
        #expect(harness.table.count(in: .tcpEstablished) == 1)

        let picked = try Harness()
        picked.send(Frames.tcp4(Address.client, 40001, Address.server, 443, F.ack))
        let flow = try picked.onlyFlow()
        #expect(flow.pickedUp && !flow.assured && flow.timeoutClass == .tcpUnacknowledged)
        #expect(flow.remaining == 300 * Harness.second)
        picked.send(Frames.tcp4(Address.server, 443, Address.client, 40001, F.ack))
        let answered = try picked.onlyFlow()
        #expect(answered.assured && answered.timeoutClass == .tcpEstablished)
        #expect(answered.remaining == 432_000 * Harness.second)
    }

    @Test func aRetransmittedSYNDoesNotRefreshTheTimer() throws {
        let harness = try Harness()
        harness.send(Frames.tcp4(Address.client, 40000, Address.server, 443, F.syn))
        harness.advance(100)
        #expect(harness.send(Frames.tcp4(Address.client, 40000, Address.server, 443, F.syn)).lookup.state == .new)
        harness.advance(21)
        // 121 s after the first SYN: the flow is gone, so the SYN-ACK answers nothing.
        #expect(harness.classify(Frames.tcp4(Address.server, 443, Address.client, 40000, F.synAck)).state == .invalid)
    }

    @Test func afterAResetTheCloseTimeoutApplies() throws {
        let harness = try Harness()
        for frame in [
            Frames.tcp4(Address.client, 40000, Address.server, 443, F.syn),
            Frames.tcp4(Address.server, 443, Address.client, 40000, F.synAck),
            Frames.tcp4(Address.client, 40000, Address.server, 443, F.ack),
            Frames.tcp4(Address.server, 443, Address.client, 40000, F.rst),
        ] {
            harness.send(frame)
        }
        #expect(try harness.onlyFlow().remaining == 10 * Harness.second)
        harness.advance(10)
        #expect(harness.expire() == 1)
        #expect(harness.events.ended.map(\.reason) == [.closed])
    }
}
