// OperationsBench: does serving /metrics slow the forwarding threads down?
//
// A thread adds to a PortCounterBlock (the per-thread counters the forwarding loop writes, four
// adds per frame) while a client scrapes a MetricsServer whose snapshot reads that same block,
// as the bridge's does. Reported: ns per frame with no scraper, one scrape every 100 ms, and
// scrapes back to back (the worst case), plus what one scrape costs.
//
//   swift build -c release --product OperationsBench && .build/release/OperationsBench
import Glibc

exit(MetricsBench.run())
