import TestSupport

/// What a real client's sockets see, from inside a host's namespace: the errno a `connect()` or a
/// `send()` ends with, and how many of many connections were answered. Each runs a short Python
/// script through ``HostScript`` and reads back one word or number.
enum SocketOutcome {
    /// One TCP `connect()` to `address:port`: `connected`, `timeout`, or the errno's name
    /// (`ECONNREFUSED`, `EHOSTUNREACH`...).
    static func tcpConnect(from client: TestNamespace, to address: String, port: Int, timeout: Double = 3) throws
        -> String
    {
        try HostScript.run(
            in: client,
            """
            import errno, socket
            s = socket.socket(\(HostScript.family(address)), socket.SOCK_STREAM)
            s.settimeout(\(timeout))
            try:
                s.connect(("\(address)", \(port))); print("connected")
            except OSError as e:
                print("timeout" if e.errno is None else errno.errorcode.get(e.errno, str(e.errno)))
            """)
    }

    /// A connected UDP socket sends one datagram to `address:port`, waits (up to `timeout`
    /// seconds) for an error to be queued on it, and sends again: `sent` when the second send
    /// succeeds, or the errno's name it failed with (an ICMP port unreachable that came back
    /// makes it `ECONNREFUSED`).
    static func udpSendTwice(from client: TestNamespace, to address: String, port: Int, timeout: Double = 3) throws
        -> String
    {
        try HostScript.run(
            in: client,
            """
            import errno, select, socket
            s = socket.socket(\(HostScript.family(address)), socket.SOCK_DGRAM)
            s.connect(("\(address)", \(port)))
            s.send(b"bridgekeeper")
            select.select([s], [], [], \(timeout))
            try:
                s.send(b"bridgekeeper again"); print("sent")
            except OSError as e:
                print(errno.errorcode.get(e.errno, str(e.errno)))
            """)
    }

    /// `count` TCP connections to `address:port` opened at once, each waiting for the server's
    /// byte for up to `wait` seconds in all: how many got it.
    static func answeredConnections(
        from client: TestNamespace, to address: String, port: Int, count: Int, wait: Double = 5
    ) throws -> Int {
        let output = try HostScript.run(
            in: client,
            """
            import select, socket, time
            pending = []
            for i in range(\(count)):
                s = socket.socket(\(HostScript.family(address)), socket.SOCK_STREAM)
                s.setblocking(False)
                s.connect_ex(("\(address)", \(port)))
                pending.append(s)
            answered = 0
            deadline = time.monotonic() + \(wait)
            while pending and time.monotonic() < deadline:
                readable, _, _ = select.select(pending, [], [], max(0, deadline - time.monotonic()))
                for s in readable:
                    pending.remove(s)
                    try:
                        answered += s.recv(1) == b"k"
                    except OSError:
                        pass
                    s.close()
            print(answered)
            """)
        guard let answered = Int(output) else { throw TestFailure("client printed \(output.debugDescription)") }
        return answered
    }

    /// `count` non-blocking TCP connects to `address:port` at once, then `wait` seconds for any
    /// of them to complete: how many did.
    static func simultaneousConnections(
        from client: TestNamespace, to address: String, port: Int, count: Int, wait: Double
    ) throws -> Int {
        let output = try HostScript.run(
            in: client,
            """
            import select, socket, time
            pending = []
            for i in range(\(count)):
                s = socket.socket(\(HostScript.family(address)), socket.SOCK_STREAM)
                s.setblocking(False)
                s.connect_ex(("\(address)", \(port)))
                pending.append(s)
            connected = 0
            deadline = time.monotonic() + \(wait)
            while pending and time.monotonic() < deadline:
                _, writable, _ = select.select([], pending, [], max(0, deadline - time.monotonic()))
                for s in writable:
                    pending.remove(s)
                    if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                        connected += 1
            print(connected)
            """)
        guard let connected = Int(output) else { throw TestFailure("client printed \(output.debugDescription)") }
        return connected
    }
}
