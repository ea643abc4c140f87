import Testing

@testable import Operations

@Suite("Listen address")
struct ListenAddressTests {
    @Test("IPv4, bracketed IPv6, every address and localhost parse")
    func parsesForms() throws {
        #expect(try ListenAddress.parse("127.0.0.1:9101") == .init(host: .ipv4([127, 0, 0, 1]), port: 9101))
        #expect(try ListenAddress.parse(":9101") == .init(host: .any, port: 9101))
        #expect(try ListenAddress.parse("localhost:80") == .init(host: .ipv4([127, 0, 0, 1]), port: 80))
        let v6 = try ListenAddress.parse("[2001:db8::1]:9101")
        #expect(v6.port == 9101)
        #expect(v6.description == "[2001:db8::1]:9101")
        #expect(try ListenAddress.parse("[::]:0").description == "[::]:0")
    }

    @Test(
        "bad addresses are refused with a reason",
        arguments: [
            ("9101", "no port"), ("nonsense", "no port"), ("1.2.3:80", "not an IPv4 address"),
            ("300.1.1.1:80", "not an IPv4 address"), ("127.0.0.1:99999", "0 to 65535"), ("127.0.0.1:", "0 to 65535"),
            ("127.0.0.1:http", "0 to 65535"), ("::1:9101", "brackets"), ("[::1:9101", "missing ]"),
            ("[::1]9101", "no port after"), ("[1.2.3.4]:80", "not an IPv6 address"),
            ("example.org:80", "not looked up"),
        ])
    func refusesBadAddresses(text: String, reason: String) {
        #expect {
            try ListenAddress.parse(text)
        } throws: { error in
            guard let error = error as? MetricsError, case .badAddress(let quoted, let why) = error else {
                return false
            }
            return quoted == text && why.contains(reason) && error.description.hasPrefix("--metrics \(text): ")
        }
    }
}
