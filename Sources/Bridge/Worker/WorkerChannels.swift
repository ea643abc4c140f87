import Platform
import Ring

/// The ports one forwarding thread owns: a socket per bridge port (port a at 0, b at 1; nil
/// while the interface is gone), the host port (shared; only one thread reads it) and the link
/// monitor that tells it when a port comes and goes.
struct WorkerPorts {
    var sockets: [PacketSocket?]
    let hostPort: TapDevice?
    let linkMonitor: LinkMonitor?
}

/// Everything a forwarding thread writes for the control plane: its state and wake-up
/// (``WorkerShared``), port counters, rule counters (through the ledger), and the queues of
/// `log` records and `pcap` copies the control thread drains.
struct WorkerChannels {
    let shared: WorkerShared
    let counters: PortCounterBlock
    let ledger: CounterLedger
    let logs: LogRecordQueue
    let captures: CaptureQueue
    /// Flows that became established or ended, for the kernel's flow sets (nil: nobody keeps
    /// them in step, so they are not queued).
    let flowChanges: SPSCRing<FlowChange>?
}

/// What a forwarding thread asks of the bridge that runs it; never on the per-frame path.
protocol WorkerHost: AnyObject, Sendable {
    /// A port that was removed came back under the same name: prepare the new interface (offloads,
    /// IPv6) before a socket opens on it. False when it cannot be prepared.
    func preparePortAgain(_ name: String) -> Bool
    /// The frames `--count` asked for have been forwarded: the bridge should stop.
    func forwardedRequestedCount()
    /// Port `port`'s link went up or down (worker 0 reports every change it sees).
    func linkChanged(port: Int, up: Bool)
    /// Thread `number` cannot go on (`reason` says why): the bridge must stop and exit non-zero.
    func workerFailed(number: Int, reason: String)
}
