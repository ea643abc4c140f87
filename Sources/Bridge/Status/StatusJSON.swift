import Platform

/// `status` and `reload` replies as the control socket sends them: written with the one JSON
/// writer, members in the order the types declare them (the CLI decodes them by name).
extension StatusReport {
    /// The report as one line of JSON.
    public var json: String {
        var json = JSONWriter()
        json.beginObject()
        json.field("version", version)
        json.field("pid", pid)
        json.field("uptimeSeconds", uptimeSeconds, digits: 3)
        json.key("ports")
        json.beginArray()
        for port in ports {
            json.beginObject()
            json.field("name", port.name)
            json.field("interface", port.interface)
            json.field("link", port.link)
            json.key("counters")
            json.beginObject()
            for name in port.counters.keys.sorted() { json.field(name, port.counters[name] ?? 0) }
            json.endObject()
            json.endObject()
        }
        json.endArray()
        json.field("hostPort", hostPort)
        json.key("policy")
        json.beginObject()
        json.field("file", policy.file)
        json.field("generation", policy.generation)
        json.field("sha256", policy.sha256)
        json.field("loadedAt", policy.loadedAt)
        json.field("rules", policy.rules)
        json.endObject()
        json.key("lastReload")
        if let lastReload { lastReload.write(into: &json) } else { json.null() }
        json.field("reloads", reloads)
        json.key("rules")
        json.beginArray()
        for rule in rules {
            json.beginObject()
            json.field("name", rule.name)
            json.field("packets", rule.packets)
            json.field("bytes", rule.bytes)
            if let packets = rule.kernelPackets { json.field("kernelPackets", packets) }
            if let bytes = rule.kernelBytes { json.field("kernelBytes", bytes) }
            if let answers = rule.answers { json.field("answers", answers) }
            if let suppressed = rule.answersSuppressed { json.field("answersSuppressed", suppressed) }
            if let unanswered = rule.unanswered { json.field("unanswered", unanswered) }
            if let consumed = rule.quotaConsumed { json.field("quotaConsumed", consumed) }
            if let bytes = rule.quotaBytes { json.field("quotaBytes", bytes) }
            if let evictions = rule.meterEvictions { json.field("meterEvictions", evictions) }
            json.endObject()
        }
        json.endArray()
        json.field("defaultVerdict", defaultVerdict)
        json.field("defaultPackets", defaultPackets)
        json.field("defaultBytes", defaultBytes)
        json.field("held", held)
        json.field("onFailure", onFailure)
        json.field("mirrorTable", mirrorTable)
        json.field("workers", workers)
        if let flows {
            json.key("flows")
            flows.write(into: &json)
        }
        if let linkPropagation {
            json.key("linkPropagation")
            json.beginObject()
            json.key("heldDown")
            json.beginArray()
            for held in linkPropagation.heldDown { json.value(held) }
            json.endArray()
            json.key("propagations")
            json.beginArray()
            for count in linkPropagation.propagations { json.value(count) }
            json.endArray()
            json.endObject()
        }
        json.key("perWorker")
        json.beginArray()
        for worker in perWorker {
            json.beginObject()
            json.field("worker", worker.worker)
            json.key("ports")
            json.beginArray()
            for counters in worker.ports {
                json.beginObject()
                for name in counters.keys.sorted() { json.field(name, counters[name] ?? 0) }
                json.endObject()
            }
            json.endArray()
            json.endObject()
        }
        json.endArray()
        json.key("dynamicSets")
        json.beginArray()
        for set in dynamicSets {
            json.beginObject()
            json.field("name", set.name)
            json.field("elements", set.elements)
            json.field("capacity", set.capacity)
            json.field("refused", set.refused)
            json.field("inserted", set.inserted)
            if let timeout = set.timeoutSeconds { json.field("timeoutSeconds", timeout, digits: 3) }
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return json.text
    }
}

extension StatusReport.Reload {
    /// The reload record as a JSON object, into `json`.
    func write(into json: inout JSONWriter) {
        json.beginObject()
        json.field("at", at)
        json.field("ok", ok)
        json.field("generation", generation)
        json.field("message", message)
        json.key("errors")
        json.beginArray()
        for error in errors { json.value(error) }
        json.endArray()
        json.endObject()
    }
}

extension ReloadReply {
    /// The reply as one line of JSON.
    public var json: String {
        var json = JSONWriter()
        json.beginObject()
        json.field("ok", ok)
        json.field("generation", generation)
        json.field("message", message)
        json.key("errors")
        json.beginArray()
        for error in errors { json.value(error) }
        json.endArray()
        json.endObject()
        return json.text
    }

    /// What a reload request gets when the bridge is stopping.
    static let stopping = ReloadReply(ok: false, generation: 0, message: "stopping", errors: [])
}

/// The reply to a control request the bridge does not understand.
enum ControlReplies {
    static let unknownRequest: String = {
        var json = JSONWriter()
        json.beginObject()
        json.field("error", "unknown request; use status, reload, flows, reset-quota RULE or set-list SET")
        json.endObject()
        return json.text
    }()
}

extension ControlReplies {
    /// The reply to `reset-quota RULE`: how many of the rule's quotas started again from zero.
    static func quotaReset(rule: String, quotas: Int) -> String {
        var json = JSONWriter()
        json.beginObject()
        json.field("ok", quotas > 0)
        json.field("rule", rule)
        json.field("quotas", quotas)
        json.endObject()
        return json.text
    }
}
