import Loader
import Policy
import Testing

/// nft's `iifname vmap { "lan0" : accept, ... }`: a verdict map keyed by the port's interface
/// name, resolved against the bridge's ports like `iifname` on a match line, and deciding as
/// its `test` blocks say.
@Suite struct InterfaceVerdictMapTests {
    static let ports = PortInterfaces(a: "lan0", b: "wan0")

    static func policy(_ map: String, tests: String = "") -> String {
        """
        version 1
        default forward
        rule "by-port" {
            match tcp dport 22
            \(map)
        }
        \(tests)
        """
    }

    @Test(arguments: [
        #"iifname vmap { "lan0" : accept, "wan0" : drop }"#,
        #"meta iifname vmap { "lan0": accept, "wan0": drop }"#,
        #"oifname vmap { "wan0" : accept, "lan0" : drop }"#,
        #"iifname vmap { "lan*" : accept, "wan*" : drop }"#,
    ])
    func theArrivalPortPicksTheVerdict(map: String) {
        let tests = """
            test "ssh from a passes" {
                packet iif a ip saddr 198.18.0.1 ip daddr 198.19.0.1 tcp dport 22
                expect forward by "by-port"
            }
            test "ssh from b is dropped" {
                packet iif b ip saddr 198.19.0.1 ip daddr 198.18.0.1 tcp dport 22
                expect drop by "by-port"
            }
            """
        let report = PolicyLoader.load(text: Self.policy(map, tests: tests), path: "v.policy", ports: Self.ports)
        #expect(report.errors.isEmpty, "\(report.errors.map(\.rendered))")
        #expect(report.tests.count == 2 && report.tests.allSatisfy(\.passed))
    }

    @Test func theMapDecidesAsWritten() {
        // The same tests against the map the other way round fail: the test blocks can tell.
        let tests = """
            test "ssh from a passes" {
                packet iif a ip saddr 198.18.0.1 ip daddr 198.19.0.1 tcp dport 22
                expect forward by "by-port"
            }
            """
        let report = PolicyLoader.load(
            text: Self.policy(#"iifname vmap { "lan0" : drop, "wan0" : accept }"#, tests: tests), path: "v.policy",
            ports: Self.ports)
        #expect(report.loaded == nil)
        #expect(report.tests.map(\.passed) == [false])
    }

    @Test func aNameThatIsNeitherPortIsAnErrorAtIt() {
        let report = PolicyLoader.load(
            text: Self.policy(#"iifname vmap { "lan0" : accept, "eth7" : drop }"#), path: "v.policy",
            ports: Self.ports)
        #expect(
            report.errors.map { "\($0.location.map { "\($0.line):\($0.column)" } ?? "-") \($0.message)" } == [
                #"5:37 iifname "eth7" is neither port of the bridge: port a is "lan0", port b is "wan0""#
            ])
    }
}
