import Glibc

/// Where the metrics endpoint listens: `ADDR:PORT` (IPv4), `[ADDR]:PORT` (IPv6), or `:PORT` for
/// every address (IPv6 and IPv4 alike when the host has IPv6).
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public enum Host: Sendable, Equatable {
        /// Every address.
        case any
        /// Four address bytes, network order.
        case ipv4([UInt8])
        /// Sixteen address bytes, network order.
        case ipv6([UInt8])
    }

    public var host: Host
    /// 0 lets the kernel pick a free port.
    public var port: UInt16

    public init(host: Host, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Parses `--metrics` text.
    public static func parse(_ text: String) throws(MetricsError) -> ListenAddress {
        let hostText: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw .badAddress(text, reason: "missing ]") }
            hostText = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw .badAddress(text, reason: "no port after the address") }
            portText = rest.dropFirst()
            guard let bytes = parse(hostText, family: AF_INET6, size: 16) else {
                throw .badAddress(text, reason: "\(hostText) is not an IPv6 address")
            }
            return ListenAddress(host: .ipv6(bytes), port: try port(portText, in: text))
        }
        guard let colon = text.lastIndex(of: ":") else {
            throw .badAddress(text, reason: "no port (write :\(text) to listen on every address)")
        }
        hostText = text[..<colon]
        portText = text[text.index(after: colon)...]
        if hostText.contains(":") {
            throw .badAddress(text, reason: "an IPv6 address needs brackets, as in [::1]:9101")
        }
        let port = try port(portText, in: text)
        if hostText.isEmpty { return ListenAddress(host: .any, port: port) }
        if hostText == "localhost" { return ListenAddress(host: .ipv4([127, 0, 0, 1]), port: port) }
        guard let bytes = parse(hostText, family: AF_INET, size: 4) else {
            throw .badAddress(
                text, reason: "\(hostText) is not an IPv4 address (names other than localhost are not looked up)")
        }
        return ListenAddress(host: .ipv4(bytes), port: port)
    }

    private static func port(_ text: Substring, in whole: String) throws(MetricsError) -> UInt16 {
        guard !text.isEmpty, text.allSatisfy(\.isASCII), let value = UInt16(text) else {
            throw .badAddress(whole, reason: "the port must be a number from 0 to 65535")
        }
        return value
    }

    private static func parse(_ text: Substring, family: Int32, size: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: 16)
        let status = inet_pton(family, String(text), &bytes)
        return status == 1 ? Array(bytes.prefix(size)) : nil
    }

    /// `127.0.0.1:9101`, `[::1]:9101`, `:9101`.
    public var description: String {
        switch host {
        case .any: return ":\(port)"
        case .ipv4(let bytes): return "\(Self.text(bytes, family: AF_INET)):\(port)"
        case .ipv6(let bytes): return "[\(Self.text(bytes, family: AF_INET6))]:\(port)"
        }
    }

    /// A URL to scrape it from (the loopback address for `any`).
    public var url: String {
        switch host {
        case .any: return "http://127.0.0.1:\(port)/metrics"
        default: return "http://\(description)/metrics"
        }
    }

    private static func text(_ bytes: [UInt8], family: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(family, bytes, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
