import Loader
import Logging
import Mirror
import Policy

/// The policy `run` starts with: read with exactly `check`'s code, every diagnostic logged at
/// its severity.
enum StartupPolicy {
    /// Why a policy that matches `ct` cannot run without a flow table.
    static let needsFlowTable =
        "the policy matches ct state or ct direction, but the bridge has no flow table (--flows 0); "
        + "run it with --flows N (the default is 262144)"

    static func load(_ configuration: BridgeConfiguration, logger: Logger) throws(BridgeError) -> LoadedPolicy {
        // The mirror's notes are logged once the kernel has been probed (BridgeResources).
        let report = PolicyLoader.load(
            path: configuration.policyPath, ports: PortInterfaces(a: configuration.portA, b: configuration.portB))
        for diagnostic in report.diagnostics {
            switch diagnostic.severity {
            case .error: logger.error("\(diagnostic.summary)")
            case .warning: logger.warning("\(diagnostic.summary)")
            case .note: logger.info("\(diagnostic.summary)")
            }
        }
        guard let loaded = report.loaded else {
            throw .policy(path: configuration.policyPath, errors: max(1, report.errors.count))
        }
        if loaded.compiled.usesFlows && configuration.flows == 0 {
            throw .flows(StartupPolicy.needsFlowTable)
        }
        return loaded
    }
}
