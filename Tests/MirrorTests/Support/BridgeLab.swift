import Foundation
import Mirror

/// Three namespaces: `bridge` holds ports `pa` and `pb` (veths) and, once ``makeBridge()``
/// runs, Bridgekeeper's kernel bridge; `left` holds `ea` (the other end of `pa`), `right`
/// holds `ec` (the other end of `pb`). Frames sent on `ea` cross the kernel bridge to `ec`.
final class BridgeLab: @unchecked Sendable {
    let left: NetworkNamespace
    let bridge: NetworkNamespace
    let right: NetworkNamespace
    static let ports = MirrorPorts(a: "pa", b: "pb")

    init(_ tag: String) throws {
        left = try NetworkNamespace(tag + "L")
        bridge = try NetworkNamespace(tag + "B")
        right = try NetworkNamespace(tag + "R")
        do {
            try bridge.ip(["link", "add", "pa", "type", "veth", "peer", "name", "ea", "netns", left.name])
            try bridge.ip(["link", "add", "pb", "type", "veth", "peer", "name", "ec", "netns", right.name])
            for link in ["pa", "pb"] { try bridge.ip(["link", "set", link, "up"]) }
            try left.ip(["link", "set", "ea", "up"])
            try right.ip(["link", "set", "ec", "up"])
        } catch {
            delete()
            throw error
        }
    }

    func delete() {
        left.delete()
        bridge.delete()
        right.delete()
    }

    /// Creates the kernel bridge over `pa` and `pb` with ``KernelBridge``.
    @discardableResult
    func makeBridge() throws -> String {
        try bridge.run { try KernelBridge.create(ports: BridgeLab.ports) }
    }

    /// Sends `frames` from the left and returns the ids that reached the right.
    func crossing(_ frames: [TestFrame], wait seconds: Double = 0.5) throws -> Set<UInt32> {
        let receiver = try right.run { try PacketSocket(interface: "ec") }
        let sender = try left.run { try PacketSocket(interface: "ea") }
        for frame in frames { try sender.send(frame.bytes) }
        return TestFrame.ids(in: receiver.receive(for: seconds))
    }
}
