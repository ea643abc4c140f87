import CLinuxShim
import Frame
import Glibc

extension PacketSocket {
    /// Sends one frame out of this socket's interface now, without waiting (MSG_DONTWAIT): the
    /// ``Transmitter`` path with no retries. One system call per frame; the kernel copies the
    /// bytes before it returns.
    ///
    /// On a socket with a TX ring the kernel ignores the bytes passed to `send()` and transmits
    /// the ring instead, so there this enqueues the frame and kicks the ring (sending anything
    /// queued before it too). For batches, use a ``Transmitter`` and kick once per batch.
    @inlinable
    public func send(_ bytes: UnsafeRawBufferPointer) -> SendResult {
        var transmitter = Transmitter()
        let result = transmitter.send(bytes, on: self, retries: 0)
        guard result == .sent else { return result }
        return transmitter.flush(self)
    }

    /// One `send()` of `bytes` (MSG_DONTWAIT), ignoring any TX ring: for sockets without one.
    @inlinable
    func sendNow(_ bytes: UnsafeRawBufferPointer) -> SendResult {
        let result = Glibc.send(fileDescriptor, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT))
        return result >= 0 ? .sent : SendResult(errno: errno)
    }

    /// The socket has a TX ring (and is open).
    @inlinable
    public var hasTransmitRing: Bool { txCapacity > 0 }

    /// Copies one frame into the next free TX ring slot. It leaves with the next ``flush()``.
    ///
    /// The slot's status is checked every time (a `POLLOUT` does not promise a free slot), with
    /// the timestamp bits some drivers (veth) leave in it masked off.
    @inlinable
    public func enqueue(_ bytes: UnsafeRawBufferPointer) -> EnqueueResult {
        guard txCapacity > 0 else { return .noTransmitRing }
        guard bytes.count <= txCapacity else { return .tooBig }
        guard bytes.count >= 14, let source = bytes.baseAddress else { return .tooShort }
        let header = txSlot
        let status = cls_load_acquire_u32(header) & ~cls_tp_status_ts_mask()
        guard status == UInt32(TP_STATUS_AVAILABLE) else { return .full }
        (header + txDataOffset).copyMemory(from: source, byteCount: bytes.count)
        header.assumingMemoryBound(to: tpacket2_hdr.self).pointee.tp_len = UInt32(truncatingIfNeeded: bytes.count)
        cls_store_release_u32(header, UInt32(TP_STATUS_SEND_REQUEST))
        txNewest = header
        txPending &+= 1
        txFrameInBlock &+= 1
        if txFrameInBlock == txFramesPerBlock {
            txFrameInBlock = 0
            txBlock &+= 1
            if txBlock == txBlockCount { txBlock = 0 }
            txSlot = txBase + txBlock &* txBlockSize
        } else {
            txSlot += txFrameSize
        }
        return .queued
    }

    /// Sends the frame a ``FrameBuffer`` holds (see ``send(_:)``).
    @inlinable
    public func send(_ frame: FrameBuffer) -> SendResult {
        send(frame.readOnlyBytes)
    }

    /// Enqueues the frame a ``FrameBuffer`` holds (see ``enqueue(_:)``).
    @inlinable
    public func enqueue(_ frame: FrameBuffer) -> EnqueueResult {
        enqueue(frame.readOnlyBytes)
    }

    /// Frames enqueued since the last ``flush()`` after which the kernel had taken them all
    /// (nonzero while the newest frame still waits for the kernel).
    @inlinable
    public var pendingTransmitCount: Int { txPending }

    /// Asks the kernel to send every enqueued frame: one `send(fd, NULL, 0, MSG_DONTWAIT)` per
    /// batch, none when nothing is pending. On failure the frames stay queued for the next flush.
    ///
    /// A kick can succeed having taken only some of the frames: the kernel stops, and still
    /// reports success, when the socket's send buffer is full of frames a queue discipline holds.
    /// It takes the ring's frames in order, so while the newest one still waits for the kernel
    /// they stay pending, and the next flush kicks again instead of leaving them in the ring
    /// until more traffic comes.
    @inlinable
    public func flush() -> SendResult {
        guard txPending > 0 else { return .sent }
        let result = Glibc.send(fileDescriptor, nil, 0, Int32(MSG_DONTWAIT))
        guard result >= 0 else { return SendResult(errno: errno) }
        if let newest = txNewest,
            cls_load_acquire_u32(newest) & ~cls_tp_status_ts_mask() == UInt32(TP_STATUS_SEND_REQUEST)
        {
            return .sent
        }
        txPending = 0
        return .sent
    }
}
