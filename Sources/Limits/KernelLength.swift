import Frame

/// The length the kernel charges a frame in the bridge family: `skb->len`, which nft's byte
/// limits (`nft_limit_bytes_eval`) and quotas (`nft_overquota`) count, and `meta length` shows.
///
/// On a bridge the kernel has pulled the 14-byte Ethernet header before the hooks run, and the
/// receive path has taken the outer VLAN tag off into the skb's metadata when its TPID is 0x8100
/// or 0x88a8 (`eth_type_vlan`; a 0x9100 tag stays in the data). Inner tags stay. So a frame
/// counts `length - 14`, and 4 bytes less with such an outer tag. Use this where Bridgekeeper's
/// counts must agree with the nftables mirror's; the frame's own length is the other choice, and
/// the policy language must say which it uses.
public enum KernelLength {
    /// `skb->len` at the bridge hooks for a frame parsed as `info` (0 for a frame without an
    /// Ethernet header).
    @inlinable
    public static func bridge(_ info: FrameInfo) -> Int {
        guard info.present.contains(.ethernet) else { return 0 }
        var length = info.length - 14
        if info.present.contains(.vlan)
            && (info.outerVLANTPID == EtherType.vlan || info.outerVLANTPID == EtherType.qinq)
        {
            length -= 4
        }
        return length
    }
}
