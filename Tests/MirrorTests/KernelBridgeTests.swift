import Foundation
import Mirror
import Testing

/// The fail-open kernel bridge, made over rtnetlink.
@Suite(.serialized) struct KernelBridgeTests {
    private func details(_ namespace: NetworkNamespace, _ link: String) throws -> [String: Any] {
        let output = try namespace.must(["ip", "-j", "-d", "link", "show", link])
        let list = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]]
        return try #require(list?.first)
    }

    @Test func createFindAndRemove() throws {
        let lab = try BridgeLab("kb")
        defer { lab.delete() }
        let name = try lab.makeBridge()
        #expect(name == KernelBridge.name(for: BridgeLab.ports))
        #expect(name.hasPrefix("bk-") && name.utf8.count <= 15)

        let bridge = try details(lab.bridge, name)
        #expect(bridge["ifalias"] as? String == "bridgekeeper fail-open")
        #expect((bridge["flags"] as? [String])?.contains("UP") == true)
        let info = try #require((bridge["linkinfo"] as? [String: Any])?["info_data"] as? [String: Any])
        #expect(info["stp_state"] as? Int == 0)
        #expect(info["forward_delay"] as? Int == 0)
        #expect(info["mcast_snooping"] as? Int == 0)
        #expect(info["group_fwd_mask"] as? String == "0xfff8")
        #expect(bridge["addr_info"] == nil || (bridge["addr_info"] as? [Any])?.isEmpty == true)
        for port in ["pa", "pb"] {
            #expect(try details(lab.bridge, port)["master"] as? String == name)
        }

        // Found by its ports; creating again reuses it.
        #expect(try lab.bridge.run { try KernelBridge.find(enslaving: BridgeLab.ports) } == name)
        #expect(try lab.makeBridge() == name)

        try lab.bridge.run { try KernelBridge.remove(name: name) }
        #expect(try lab.bridge.run { try KernelBridge.find(enslaving: BridgeLab.ports) } == nil)
        #expect(!lab.bridge.exec(["ip", "link", "show", name]).succeeded)
        for port in ["pa", "pb"] {
            let link = try details(lab.bridge, port)
            #expect(link["master"] == nil)
            #expect((link["flags"] as? [String])?.contains("UP") == true)
        }
        // Removing it again is fine.
        try lab.bridge.run { try KernelBridge.remove(name: name) }
    }

    @Test func aBridgeNotMadeByBridgekeeperIsLeftAlone() throws {
        let lab = try BridgeLab("kf")
        defer { lab.delete() }
        try lab.bridge.must(["ip", "link", "add", "br-other", "type", "bridge"])
        try lab.bridge.must(["ip", "link", "set", "pa", "master", "br-other"])
        #expect(try lab.bridge.run { try KernelBridge.find(enslaving: BridgeLab.ports) } == nil)
        let error = try lab.bridge.run { () -> MirrorError? in
            do throws(MirrorError) {
                try KernelBridge.remove(name: "br-other")
                return nil
            } catch { return error }
        }
        #expect(error?.description.hasPrefix("cannot remove (it is not a bridge Bridgekeeper made) br-other") == true)
        #expect(lab.bridge.exec(["ip", "link", "show", "br-other"]).succeeded)
        // Nor are its ports taken from it.
        let taken = try lab.bridge.run { () -> MirrorError? in
            do throws(MirrorError) {
                _ = try KernelBridge.create(ports: BridgeLab.ports)
                return nil
            } catch { return error }
        }
        #expect(
            taken?.description
                == "cannot take over (it is enslaved to br-other, which Bridgekeeper did not make) pa: "
                + "Device or resource busy")
        #expect(try details(lab.bridge, "pa")["master"] as? String == "br-other")
        #expect(lab.bridge.exec(["ip", "link", "show", KernelBridge.name(for: BridgeLab.ports)]).succeeded == false)
    }

    @Test func aMissingPortIsNamed() throws {
        let namespace = try NetworkNamespace("kmiss")
        defer { namespace.delete() }
        let error = try namespace.run { () -> MirrorError? in
            do throws(MirrorError) {
                _ = try KernelBridge.create(ports: MirrorPorts(a: "nope0", b: "nope1"))
                return nil
            } catch { return error }
        }
        #expect(error?.description == "no interface named \"nope0\" (check the port names)")
    }
}
