/// The mirror's part of a commit's transaction.
extension NftBatch {
    /// Replaces table `bridge plan.table` with the plan (`NEWTABLE DELTABLE NEWTABLE(EXCL)`,
    /// objects, sets, chains, rules), after putting the flow table in step: created when
    /// missing with its sets (existing sets and their elements are kept), its chains' rules
    /// replaced; or removed when the plan has none.
    mutating func addMirror(_ plan: MirrorPlan) throws(MirrorError) {
        if let flows = plan.flows {
            try newTable(flows.table, exclusive: false)
            for set in flows.sets { try newSet(set, table: flows.table) }
            for chain in flows.chains {
                try newChain(chain, table: flows.table)
                try flushChain(chain.name, table: flows.table)
            }
            for rule in flows.rules { try newRule(rule, table: flows.table) }
        } else {
            let table = FlowTablePlan.name(forMirror: plan.table)
            try newTable(table, exclusive: false)
            try deleteTable(table)
        }
        try newTable(plan.table, exclusive: false)
        try deleteTable(plan.table)
        try newTable(plan.table, exclusive: true)
        for object in plan.objects { newObject(object, table: plan.table) }
        for set in plan.sets { try newSet(set, table: plan.table) }
        for chain in plan.chains { try newChain(chain, table: plan.table) }
        for rule in plan.rules { try newRule(rule, table: plan.table) }
    }
}
