import Glibc

/// One HTTP/1.x request and its answer on an accepted connection: read the request head (with a
/// timeout), answer, close. Only `GET` and `HEAD` of `/metrics` succeed.
enum HTTPExchange {
    /// The largest request head read; longer ones get 400.
    static let headLimit = 8192

    struct Response: Equatable {
        var status: Int
        var reason: String
        var headers: [(String, String)]
        var body: [UInt8]
        var includesBody: Bool

        static func == (left: Response, right: Response) -> Bool {
            left.status == right.status && left.body == right.body && left.includesBody == right.includesBody
                && left.headers.elementsEqual(right.headers, by: { $0 == $1 })
        }

        /// The bytes on the wire.
        var bytes: [UInt8] {
            var head = "HTTP/1.1 \(status) \(reason)\r\n"
            for (name, value) in headers { head += "\(name): \(value)\r\n" }
            head += "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
            return Array(head.utf8) + (includesBody ? body : [])
        }
    }

    /// The answer to a request head (`head` is everything up to the blank line).
    static func respond(to head: [UInt8], metrics: () -> String) -> Response {
        let firstLine = head.prefix(while: { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") })
        let parts = firstLine.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3, parts[2].starts(with: Array("HTTP/1.".utf8)), !parts[0].isEmpty, !parts[1].isEmpty
        else {
            return plain(400, "Bad Request", "bad request\n")
        }
        let method = String(decoding: parts[0], as: UTF8.self)
        let target = String(decoding: parts[1], as: UTF8.self)
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        guard path == "/metrics" else { return plain(404, "Not Found", "not found; metrics are at /metrics\n") }
        guard method == "GET" || method == "HEAD" else {
            var response = plain(405, "Method Not Allowed", "use GET\n")
            response.headers.append(("Allow", "GET, HEAD"))
            return response
        }
        return Response(
            status: 200, reason: "OK", headers: [("Content-Type", PrometheusText.contentType)],
            body: Array(metrics().utf8), includesBody: method == "GET")
    }

    private static func plain(_ status: Int, _ reason: String, _ text: String) -> Response {
        Response(
            status: status, reason: reason, headers: [("Content-Type", "text/plain; charset=utf-8")],
            body: Array(text.utf8), includesBody: true)
    }

    /// Serves one connection, then closes it. Never waits longer than `timeoutSeconds` for the
    /// client at any step.
    static func serve(connection fd: Int32, timeoutSeconds: Int, metrics: () -> String) {
        defer { close(fd) }
        setTimeout(fd, SO_RCVTIMEO, seconds: timeoutSeconds)
        setTimeout(fd, SO_SNDTIMEO, seconds: timeoutSeconds)
        let head: [UInt8]
        switch readHead(fd) {
        case .complete(let bytes): head = bytes
        case .tooLong: head = []
        case .closed: return
        }
        let response = respond(to: head, metrics: metrics)
        writeAll(fd, response.bytes)
        // Let the client read the answer before the close: a close with unread request bytes
        // would reset the connection under it.
        shutdown(fd, Int32(SHUT_WR))
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var sink = [UInt8](repeating: 0, count: 4096)
        var drained = 0
        while drained < 1 << 16 {
            let count = recv(fd, &sink, sink.count, 0)
            guard count > 0 else { break }
            drained += count
        }
    }

    private enum HeadRead {
        case complete([UInt8])
        case tooLong
        case closed
    }

    private static func readHead(_ fd: Int32) -> HeadRead {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 2048)
        while bytes.count <= headLimit {
            let count = recv(fd, &chunk, chunk.count, 0)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return bytes.isEmpty ? .closed : .complete(bytes) }
            bytes.append(contentsOf: chunk[0..<count])
            if let end = endOfHead(bytes) { return .complete(Array(bytes[..<end])) }
        }
        return .tooLong
    }

    private static func endOfHead(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        for index in 1..<bytes.count where bytes[index] == UInt8(ascii: "\n") {
            if bytes[index - 1] == UInt8(ascii: "\n") { return index }
            if index >= 3, bytes[index - 1] == UInt8(ascii: "\r"), bytes[index - 2] == UInt8(ascii: "\n") {
                return index
            }
        }
        return nil
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return }
            offset += count
        }
    }

    private static func setTimeout(_ fd: Int32, _ option: Int32, seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, option, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }
}
