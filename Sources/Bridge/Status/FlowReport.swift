import Flow
import Frame
import Pipeline
import Platform

/// What `bridgekeeper flows` shows: the flow table's figures and every live flow, as the
/// control socket sends it (JSON).
public struct FlowReport: Codable, Sendable, Equatable {
    /// One flow, in the originator's orientation.
    public struct Entry: Codable, Sendable, Equatable {
        /// `tcp`, `udp`, `icmp`, `icmpv6` or the protocol number.
        public var proto: String
        public var family: Int
        public var source: String
        public var sourcePort: Int
        public var destination: String
        public var destinationPort: Int
        /// The outer and (QinQ) inner VLAN ids; 0: none.
        public var vlan: Int
        public var innerVlan: Int
        /// nf_conntrack's TCP state name, or UNREPLIED / REPLIED.
        public var state: String
        public var assured: Bool
        public var pickedUp: Bool
        public var restored: Bool
        /// Seconds.
        public var age: Double
        public var idle: Double
        public var remaining: Double
        public var framesOriginal: UInt64
        public var framesReply: UInt64
        public var bytesOriginal: UInt64
        public var bytesReply: UInt64
        /// The rule whose verdict let the first frame through.
        public var rule: String
    }

    /// The table's figures, all threads together.
    public struct Table: Codable, Sendable, Equatable {
        public var inUse: Int
        public var capacity: Int
        public var created: UInt64
        public var expired: UInt64
        public var closed: UInt64
        public var evicted: UInt64
        public var refusedFull: UInt64
        public var invalid: UInt64
    }

    public var table: Table
    public var flows: [Entry]
}

extension FlowReport.Table {
    /// The sum of every thread's figures.
    init(_ statistics: [FlowStatistics]) {
        self.init(
            inUse: statistics.reduce(0) { $0 + $1.inUse }, capacity: statistics.reduce(0) { $0 + $1.capacity },
            created: statistics.reduce(0) { $0 &+ $1.created }, expired: statistics.reduce(0) { $0 &+ $1.expired },
            closed: statistics.reduce(0) { $0 &+ $1.closed }, evicted: statistics.reduce(0) { $0 &+ $1.evicted },
            refusedFull: statistics.reduce(0) { $0 &+ $1.refusedFull },
            invalid: statistics.reduce(0) { $0 &+ $1.invalid })
    }
}

extension FlowReport.Table {
    /// The figures as a JSON object, into `json`.
    func write(into json: inout JSONWriter) {
        json.beginObject()
        json.field("inUse", inUse)
        json.field("capacity", capacity)
        json.field("created", created)
        json.field("expired", expired)
        json.field("closed", closed)
        json.field("evicted", evicted)
        json.field("refusedFull", refusedFull)
        json.field("invalid", invalid)
        json.endObject()
    }
}

extension FlowReport.Entry {
    /// The entry for one of a table's records; `creator` names the rule behind a creator id.
    init(_ record: FlowRecord, creator: (UInt32) -> String) {
        let tuple = record.tuple
        func address(_ value: UInt128) -> String {
            tuple.family == .ipv4
                ? AddressText.formatIPv4(FlowAddress.ipv4(value)) : AddressText.formatIPv6(value)
        }
        self.init(
            proto: FlowReport.protocolName(tuple.ipProtocol), family: Int(tuple.family.rawValue),
            source: address(tuple.source), sourcePort: Int(tuple.sourcePort), destination: address(tuple.destination),
            destinationPort: Int(tuple.destinationPort), vlan: Int(tuple.outerVLAN), innerVlan: Int(tuple.innerVLAN),
            state: record.stateName, assured: record.assured, pickedUp: record.pickedUp, restored: record.restored,
            age: Double(record.age) / 1e9, idle: Double(record.idle) / 1e9, remaining: Double(record.remaining) / 1e9,
            framesOriginal: record.framesOriginal, framesReply: record.framesReply,
            bytesOriginal: record.bytesOriginal, bytesReply: record.bytesReply, rule: creator(record.creator))
    }
}

extension FlowReport {
    static func protocolName(_ number: UInt8) -> String {
        switch number {
        case 1: return "icmp"
        case 6: return "tcp"
        case 17: return "udp"
        case 58: return "icmpv6"
        case 47: return "gre"
        case 50: return "esp"
        case 132: return "sctp"
        default: return "\(number)"
        }
    }

    /// The report as one line of JSON.
    public var json: String {
        var json = JSONWriter()
        json.beginObject()
        json.key("table")
        table.write(into: &json)
        json.key("flows")
        json.beginArray()
        for flow in flows {
            json.beginObject()
            json.field("proto", flow.proto)
            json.field("family", flow.family)
            json.field("source", flow.source)
            json.field("sourcePort", flow.sourcePort)
            json.field("destination", flow.destination)
            json.field("destinationPort", flow.destinationPort)
            json.field("vlan", flow.vlan)
            json.field("innerVlan", flow.innerVlan)
            json.field("state", flow.state)
            json.field("assured", flow.assured)
            json.field("pickedUp", flow.pickedUp)
            json.field("restored", flow.restored)
            json.field("age", flow.age, digits: 3)
            json.field("idle", flow.idle, digits: 3)
            json.field("remaining", flow.remaining, digits: 3)
            json.field("framesOriginal", flow.framesOriginal)
            json.field("framesReply", flow.framesReply)
            json.field("bytesOriginal", flow.bytesOriginal)
            json.field("bytesReply", flow.bytesReply)
            json.field("rule", flow.rule)
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return json.text
    }

    /// The report for people: a line for the table, then a line per flow, as conntrack -L.
    public var text: String {
        var lines = [
            "flows \(table.inUse) of \(table.capacity)  created \(table.created)  expired \(table.expired)  "
                + "closed \(table.closed)  evicted \(table.evicted)  refused (table full) \(table.refusedFull)  "
                + "invalid \(table.invalid)"
        ]
        for flow in flows {
            let vlan = flow.vlan == 0 ? "" : "  vlan \(flow.vlan)" + (flow.innerVlan == 0 ? "" : ".\(flow.innerVlan)")
            let ports = flow.proto == "tcp" || flow.proto == "udp"
            let from = ports ? Self.endpoint(flow.source, flow.sourcePort, flow.family) : flow.source
            let to = ports ? Self.endpoint(flow.destination, flow.destinationPort, flow.family) : flow.destination
            let flags =
                (flow.assured ? " [ASSURED]" : "") + (flow.pickedUp ? " [PICKED-UP]" : "")
                + (flow.restored ? " [RESTORED]" : "")
            lines.append(
                "\(flow.proto) \(from) -> \(to)\(vlan)  \(flow.state)\(flags)  age \(Self.seconds(flow.age)) "
                    + "idle \(Self.seconds(flow.idle))  orig \(flow.framesOriginal)/\(flow.bytesOriginal)B  "
                    + "reply \(flow.framesReply)/\(flow.bytesReply)B  rule \(flow.rule)")
        }
        return lines.joined(separator: "\n")
    }

    private static func endpoint(_ address: String, _ port: Int, _ family: Int) -> String {
        family == 6 ? "[\(address)]:\(port)" : "\(address):\(port)"
    }

    private static func seconds(_ value: Double) -> String {
        value < 10 ? "\((value * 10).rounded() / 10)s" : "\(Int(value))s"
    }
}
