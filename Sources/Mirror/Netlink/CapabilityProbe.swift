import Answers
import Limits
import Policy

#if canImport(Glibc)
    import Glibc
#endif

/// Finding out what the kernel's nftables accepts in the bridge family, by trying it.
extension NftablesConnection {
    /// What this kernel accepts; probed on first use over this connection (see
    /// ``probeCapabilities()``) and remembered. Plans for this kernel pass it to
    /// ``MirrorPlanner/plan(_:ports:table:capabilities:flowSetSize:)``.
    public func capabilities() throws(MirrorError) -> KernelCapabilities {
        if let known = state.withLock({ $0.capabilities }) { return known }
        let probed = try probeCapabilities()
        state.withLock { $0.capabilities = probed }
        return probed
    }

    /// Tries each kind of statement the mirror may use in a throw-away table, created and
    /// deleted in one transaction (so a success leaves nothing behind and a refusal rolls the
    /// whole batch back): the rules are the planner's own for a one-rule policy, so the probe
    /// tests exactly what a plan would commit. Never from a version number.
    public func probeCapabilities() throws(MirrorError) -> KernelCapabilities {
        var result = KernelCapabilities(
            bridgeConntrack: false, bridgeReject: false, limit: false, meters: false, quota: false, flowSets: false,
            tcpOptions: false, probed: true, dynamicSets: false)
        let table = "bk_probe_\(portID)"
        var all = KernelCapabilities(
            bridgeConntrack: true, bridgeReject: true, limit: true, meters: true, quota: true, flowSets: true,
            tcpOptions: true, probed: true)
        for probe in CapabilityProbe.allCases {
            if probe == .flowSets { all.bridgeConntrack = false }
            let plan = MirrorPlanner.plan(
                probe.policy, ports: MirrorPorts(a: "lo", b: "lo"), table: table, capabilities: all, flowSetSize: 16)
            let accepted = try tryInThrowAwayTable(plan, flows: probe == .flowSets)
            switch probe {
            case .bridgeConntrack: result.bridgeConntrack = accepted
            case .bridgeReject: result.bridgeReject = accepted
            case .limit: result.limit = accepted
            case .meters: result.meters = accepted
            case .quota: result.quota = accepted
            case .flowSets: result.flowSets = accepted
            case .tcpOptions: result.tcpOptions = accepted
            case .dynamicSets: result.dynamicSets = accepted
            }
        }
        return result
    }

    /// Sends `plan` (or its flow table) as `NEWTABLE(EXCL) ... DELTABLE` in one batch; whether
    /// the kernel accepted it.
    private func tryInThrowAwayTable(_ plan: MirrorPlan, flows: Bool) throws(MirrorError) -> Bool {
        try state.withLock { (state: inout NftablesConnectionState) throws(MirrorError) -> Bool in
            var batch = NftBatch(firstSequence: state.sequence, generation: nil)
            if flows, let flowTable = plan.flows {
                try batch.newTable(flowTable.table, exclusive: true)
                for set in flowTable.sets { try batch.newSet(set, table: flowTable.table) }
                for chain in flowTable.chains { try batch.newChain(chain, table: flowTable.table) }
                for rule in flowTable.rules { try batch.newRule(rule, table: flowTable.table) }
                try batch.deleteTable(flowTable.table)
            } else {
                try batch.newTable(plan.table, exclusive: true)
                for object in plan.objects { batch.newObject(object, table: plan.table) }
                for set in plan.sets { try batch.newSet(set, table: plan.table) }
                for chain in plan.chains { try batch.newChain(chain, table: plan.table) }
                for rule in plan.rules { try batch.newRule(rule, table: plan.table) }
                try batch.deleteTable(plan.table)
            }
            do throws(MirrorError) {
                try Self.send(&batch, &state)
                return true
            } catch {
                guard case .rejected = error else { throw error }
                return false
            }
        }
    }
}

/// The statements ``NftablesConnection/probeCapabilities()`` tries, each as a one-rule policy.
enum CapabilityProbe: CaseIterable {
    case bridgeConntrack
    case bridgeReject
    case limit
    case meters
    case quota
    case flowSets
    /// `tcp option maxseg size 1-65535` and `tcp option maxseg size set 1200`.
    case tcpOptions
    case dynamicSets

    var policy: Policy {
        let at = SourceLocation(file: "capability probe", line: 1, column: 1)
        let tcp = MatchTerm.field(FieldMatch(field: .tcpDport, values: [ValueInterval(23)], location: at))
        var match: [MatchTerm] = [tcp]
        var verdict = Verdict(kind: .drop, location: at)
        var statements: [Statement] = []
        switch self {
        case .bridgeConntrack, .flowSets:
            match.append(.field(FieldMatch(field: .ctState, values: [ValueInterval(2)], location: at)))
            verdict = Verdict(kind: .forward, location: at)
        case .bridgeReject:
            verdict = Verdict(kind: .reject, answer: .tcpReset, location: at)
        case .limit, .meters:
            // 10/second, burst 5: within the kernel's arithmetic by construction.
            if let limit = try? RateLimit(rate: Rate(packets: 10, per: .second)) {
                match.append(
                    .limit(LimitMatch(limit: limit, per: self == .meters ? [.ipSource] : [], location: at)))
            }
        case .quota:
            if let amount = try? QuotaAmount(1, .mbytes) {
                match.append(.quota(QuotaMatch(amount: amount, mode: .over, location: at)))
            }
        case .tcpOptions:
            match.append(.field(FieldMatch(field: .tcpMSS, values: [ValueInterval(lo: 1, hi: 65535)], location: at)))
            statements = [Statement(kind: .set(.tcpMSS, 1200), location: at)]
            verdict = Verdict(kind: .forward, location: at)
        case .dynamicSets:
            // `update @probe { ip saddr }`, then a lookup of the same set.
            let spec = DynamicSetSpec(
                size: 16, sizeWritten: true, timeout: 60_000_000_000, hasTimeouts: true, typeName: "ipv4_addr",
                keyField: .ipSaddr)
            let set = NamedSet(name: "probe", elements: [], valueKind: .ipv4, location: at, dynamic: spec)
            let update = Statement(
                kind: .setUpdate(SetUpdate(operation: .update, set: "probe", field: .ipSaddr, location: at)),
                location: at)
            let lookup = MatchTerm.setMembership(SetMembershipMatch(field: .ipSaddr, set: "probe", location: at))
            let rules = [
                Rule(name: "probe", match: match, statements: [update], action: .next, location: at),
                Rule(name: "probe-lookup", match: [lookup], verdict: verdict, location: at),
            ]
            return Policy(defaultVerdict: .forward, defaultLocation: at, sets: [set], rules: rules)
        }
        let rule = Rule(name: "probe", match: match, statements: statements, verdict: verdict, location: at)
        return Policy(defaultVerdict: .forward, defaultLocation: at, rules: [rule])
    }
}
