import CLinuxShim
import Glibc
import Platform

/// A TAP interface owned by this process: the host port.
///
/// Frames written to the TAP enter the host's kernel stack as if they had arrived on a wire
/// (`reflect`); frames the host sends out of the TAP are read here. The device is not persistent:
/// it disappears when ``close()`` (or deinit) closes its file descriptor.
public final class TapDevice: @unchecked Sendable {
    /// The interface name (as the kernel accepted it).
    public let name: String
    /// The interface index.
    public let interfaceIndex: Int32
    /// The non-blocking descriptor: poll it for `POLLIN`. -1 once closed.
    public private(set) var fileDescriptor: Int32

    /// What one ``read(into:)`` found.
    public enum ReadResult: Sendable, Equatable {
        /// One whole frame of this many bytes.
        case frame(length: Int)
        /// Nothing to read right now.
        case empty
        /// The read failed with this errno.
        case failed(errno: Int32)
    }

    /// Creates the TAP `name` (at most 15 bytes) with IFF_TAP | IFF_NO_PI, non-blocking, sets its
    /// MTU when given, and brings it up.
    public init(name: String, mtu: Int? = nil) throws(TapError) {
        guard !name.isEmpty, name.utf8.count <= 15 else { throw .invalidName(name) }
        let fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotOpenTun(.current) }
        var chosen = [CChar](repeating: 0, count: Int(IFNAMSIZ))
        let flags = Int16(IFF_TAP | IFF_NO_PI)
        guard cls_tun_set_interface(fd, name, flags, &chosen) == 0 else {
            let error = Errno.current
            Glibc.close(fd)
            throw .cannotCreate(name: name, error)
        }
        let actual = String(decoding: chosen.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        do throws(Errno) {
            let control = try InterfaceControl()
            if let mtu { try control.setMTU(mtu, of: actual) }
            let current = try control.flags(of: actual)
            try control.setFlags(current | InterfaceFlag.up, of: actual)
        } catch {
            Glibc.close(fd)
            throw .cannotConfigure(name: actual, error)
        }
        self.name = actual
        self.interfaceIndex = InterfaceControl.index(of: actual) ?? 0
        self.fileDescriptor = fd
    }

    deinit {
        close()
    }

    /// Closes the descriptor, which removes the interface. Safe to call more than once.
    public func close() {
        guard fileDescriptor >= 0 else { return }
        Glibc.close(fileDescriptor)
        fileDescriptor = -1
    }

    /// Reads one frame the host sent into `buffer`. Size the buffer for the TAP's MTU plus 14 + 8
    /// bytes: the kernel cuts longer frames to the buffer without saying so.
    @inlinable
    public func read(into buffer: UnsafeMutableRawBufferPointer) -> ReadResult {
        let count = Glibc.read(fileDescriptor, buffer.baseAddress, buffer.count)
        if count >= 0 { return .frame(length: count) }
        let code = errno
        return code == EAGAIN || code == EWOULDBLOCK ? .empty : .failed(errno: code)
    }

    /// Writes one frame into the host's stack, as if it had arrived on the TAP's wire.
    @inlinable
    public func write(_ bytes: UnsafeRawBufferPointer) -> SendResult {
        let count = Glibc.write(fileDescriptor, bytes.baseAddress, bytes.count)
        return count >= 0 ? .sent : SendResult(errno: errno)
    }
}

/// Why a ``TapDevice`` could not be created.
public enum TapError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Empty or longer than 15 bytes.
    case invalidName(String)
    /// /dev/net/tun could not be opened.
    case cannotOpenTun(Errno)
    /// TUNSETIFF failed (EBUSY: an interface of that name exists and is not a free TAP).
    case cannotCreate(name: String, Errno)
    /// Setting the MTU or bringing it up failed.
    case cannotConfigure(name: String, Errno)

    /// One line for the operator.
    public var description: String {
        switch self {
        case .invalidName(let name):
            return "'\(name)' is not a valid interface name: use 1 to 15 characters"
        case .cannotOpenTun(let error):
            return "cannot open /dev/net/tun (\(error)): load the tun module (`modprobe tun`) and run as root"
        case .cannotCreate(let name, let error):
            return "cannot create TAP interface '\(name)' (\(error)): pick a name no other interface uses"
        case .cannotConfigure(let name, let error):
            return "cannot set up TAP interface '\(name)': \(error)"
        }
    }
}
