import Platform

#if canImport(Glibc)
    import Glibc
#endif

/// Why the control socket could not be used; each reads as one line saying what to do.
public enum ControlError: Error, Sendable, CustomStringConvertible {
    case pathTooLong(String)
    case cannotListen(path: String, errno: Errno)
    case notRunning(path: String, errno: Errno)
    case noReply(path: String)

    public var description: String {
        switch self {
        case .pathTooLong(let path):
            return "control socket path is too long (108 bytes at most): \(path)"
        case .cannotListen(let path, let code):
            return
                "cannot listen on control socket \(path): \(code) (is another bridgekeeper using it? pass --control PATH)"
        case .notRunning(let path, let code):
            return
                "no bridgekeeper is listening on \(path) (\(code)); is it running, and is --control the same?"
        case .noReply(let path):
            return "bridgekeeper at \(path) did not answer in time"
        }
    }
}

/// The listening end of the control socket: a Unix stream socket, one request line per
/// connection, one reply, then close.
public final class ControlListener {
    public let path: String
    public let fd: Int32
    /// The socket's folder did not exist and was made for it.
    private let createdFolder: Bool

    /// The default control socket path.
    public static let defaultPath = "/run/bridgekeeper/bridgekeeper.sock"

    /// Listens on `path`, replacing a stale socket file; the folder is created if missing.
    public init(path: String) throws(ControlError) {
        var address = sockaddr_un()
        guard path.utf8.count < MemoryLayout.size(ofValue: address.sun_path) else { throw .pathTooLong(path) }
        let folder = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        let createdFolder = !folder.isEmpty && mkdir(folder, 0o755) == 0
        let fd = socket(
            AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw .cannotListen(path: path, errno: .current) }
        // A socket file nobody answers on is stale: remove it. A live one is someone else's.
        if ControlClient.isAnswering(path: path) {
            close(fd)
            throw .cannotListen(path: path, errno: .addressInUse)
        }
        unlink(path)
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            let code = Errno.current
            close(fd)
            throw .cannotListen(path: path, errno: code)
        }
        chmod(path, 0o660)
        self.path = path
        self.fd = fd
        self.createdFolder = createdFolder
    }

    /// Gives the socket file (and its folder, when this listener created it) to another owner,
    /// before the process drops to that user, so the user can still remove it on exit.
    public func handOver(uid: uid_t, gid: gid_t) {
        chown(path, uid, gid)
        if createdFolder, let slash = path.lastIndex(of: "/") { chown(String(path[..<slash]), uid, gid) }
    }

    /// Accepts one pending connection and reads its request line (up to 256 bytes, 200 ms).
    /// Returns nil when nothing is pending.
    public func accept() -> (connection: Int32, request: String)? {
        let connection = Glibc.accept(fd, nil, nil)
        guard connection >= 0 else { return nil }
        _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
        // The listener is non-blocking; the accepted connection must block (with timeouts).
        _ = fcntl(connection, F_SETFL, fcntl(connection, F_GETFL) & ~O_NONBLOCK)
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while bytes.count < 256 && !bytes.contains(UInt8(ascii: "\n")) {
            let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        let line = bytes.prefix { $0 != UInt8(ascii: "\n") }
        return (connection, String(decoding: line, as: UTF8.self))
    }

    /// Sends `reply` on an accepted connection and closes it.
    public static func reply(_ connection: Int32, _ reply: String) {
        var bytes = Array(reply.utf8)
        bytes.append(UInt8(ascii: "\n"))
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes {
                send(connection, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent <= 0 { break }
            offset += sent
        }
        close(connection)
    }

    deinit {
        close(fd)
        unlink(path)
    }
}

/// The client end: `bridgekeeper status` and `bridgekeeper reload`.
public enum ControlClient {
    /// Sends one request line and returns the whole reply.
    /// - Parameter timeoutSeconds: how long to wait for the reply (a reload can take a while).
    public static func request(_ line: String, path: String, timeoutSeconds: Int = 5) throws(ControlError) -> String {
        var address = sockaddr_un()
        guard path.utf8.count < MemoryLayout.size(ofValue: address.sun_path) else { throw .pathTooLong(path) }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .notRunning(path: path, errno: .current) }
        defer { close(fd) }
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else { throw .notRunning(path: path, errno: .current) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let request = Array((line + "\n").utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 { throw .noReply(path: path) }
            if count == 0 { break }
            reply += buffer[0..<count]
        }
        guard !reply.isEmpty else { throw .noReply(path: path) }
        return String(decoding: reply, as: UTF8.self).trimmingSuffixNewlines()
    }

    /// Whether something accepts connections on `path`.
    public static func isAnswering(path: String) -> Bool {
        var address = sockaddr_un()
        guard path.utf8.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
            }
        }
    }
}

extension String {
    fileprivate func trimmingSuffixNewlines() -> String {
        var text = self
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}
