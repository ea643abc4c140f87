/// HELP text for the port counters the bridge keeps (`PortCounter` names in the Bridge module).
enum PortCounterHelp {
    static func text(for name: String) -> String {
        switch name {
        case "rx_frames": return "Frames read from the port's receive ring."
        case "rx_bytes": return "Bytes of the frames read from the port."
        case "tx_frames": return "Frames sent out of the port."
        case "tx_bytes": return "Bytes of the frames sent out of the port."
        case "dropped": return "Frames that arrived on the port and a rule (or the default) dropped."
        case "truncated": return "Frames longer than a ring slot: counted, not forwarded."
        case "ring_drops": return "Frames the kernel dropped because the port's receive ring was full."
        case "send_errors": return "Sends out of the port that failed and were given up."
        case "tx_ring_full": return "Frames given up because the port's TX ring stayed full through every retry."
        case "retries": return "Send attempts repeated after a failure for lack of room."
        case "delayed": return "Frames held for a delay before leaving by the port."
        case "delay_overflow": return "Frames a delay should have held but the delay queue was full."
        case "reflected": return "Frames that arrived on the port and were handed to the host port."
        case "from_host": return "Frames the host sent through the host port out of the port."
        case "mirrored": return "Copies sent to a monitor interface for frames that arrived on the port."
        case "mirror_drops": return "Copies for a monitor interface dropped for lack of room."
        case "link_down_drops": return "Frames that could not leave by the port because its link was down."
        case "answers": return "Answers to rejected frames that arrived on the port, sent back out of it."
        default: return "Port counter \(name)."
        }
    }
}
