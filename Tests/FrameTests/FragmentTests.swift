import Frame
import Testing

/// Only a first (or no) fragment carries the L4 header.
@Suite struct FragmentTests {
    @Test func ipv4MiddleFragmentHasNoL4() {
        let frame = SampleFrames.ipv4NonFirstFragment.with {
            guard case .ipv4(var ip) = $0.network else { return }
            ip.moreFragments = true
            $0.network = .ipv4(ip)
        }
        let info = parse(frame.build())
        #expect(info.present == [.ethernet, .ipv4])
        #expect(info.isFragment)
        #expect(info.ipProtocol == IPProtocol.tcp)
    }

    @Test func ipv4LastFragmentWithoutMFHasNoL4() {
        let info = parse(SampleFrames.ipv4NonFirstFragment.build())
        #expect(info.isFragment)
        #expect(!info.present.contains(.l4Protocol))
    }

    @Test func ipv4FirstFragmentCarriesL4() {
        let info = parse(SampleFrames.ipv4FirstFragment.build())
        #expect(info.isFragment)
        #expect(info.present == [.ethernet, .ipv4, .l4Protocol, .ports, .tcpFlags, .l4Header])
        #expect(info.sourcePort == 40001)
    }

    @Test func ipv4DontFragmentIsNotAFragment() {
        let frame = SampleFrames.ipv4TCP.with {
            guard case .ipv4(var ip) = $0.network else { return }
            ip.dontFragment = true
            $0.network = .ipv4(ip)
        }
        #expect(!parse(frame.build()).isFragment)
    }

    @Test func ipv6NonFirstFragmentHasNoL4() {
        let info = parse(SampleFrames.ipv6NonFirstFragment.build())
        #expect(info.present == [.ethernet, .ipv6])
        #expect(info.isFragment)
        #expect(info.ipProtocol == IPProtocol.fragment)
    }

    @Test func ipv6FirstFragmentCarriesL4() {
        let info = parse(SampleFrames.ipv6FirstFragmentUDP.build())
        #expect(info.isFragment)
        #expect(info.present == [.ethernet, .ipv6, .l4Protocol, .ports, .l4Header])
        #expect(info.l4Offset == 14 + 40 + 8)
    }

    @Test func ipv6AtomicFragmentIsNotAFragment() {
        let frame = SampleFrames.ipv6(
            .udp(SampleFrames.udp), extensions: [.fragment(offset: 0, moreFragments: false, identification: 1)])
        let info = parse(frame.build())
        #expect(!info.isFragment)
        #expect(info.present.contains(.l4Header))
    }
}
