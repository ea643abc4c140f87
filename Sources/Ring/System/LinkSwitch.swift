import Glibc
import Platform

/// Takes an interface's link administratively down or up (`ip link set DEV down|up`): how
/// `--link-propagate` shows one segment's failure to the other. Control path only.
public enum LinkSwitch {
    /// Sets `name` up (IFF_UP) or down.
    public static func set(_ name: String, up: Bool) throws(Errno) {
        let control = try InterfaceControl()
        let flags = try control.flags(of: name)
        let wanted = up ? flags | InterfaceFlag.up : flags & ~InterfaceFlag.up
        guard wanted != flags else { return }
        try control.setFlags(wanted, of: name)
    }
}
