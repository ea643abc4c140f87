import Testing

@testable import Policy

/// `map NAME { type TYPE : verdict; elements = { ... } }` and `FIELD vmap @NAME`: the same
/// verdict map an inline `vmap { ... }` is, with errors at the map, the use or the element.
@Suite struct NamedVerdictMapTests {
    static let inline = """
        chain web {
            rule "alt" {
                match tcp dport 8080
                drop
            }
        }
        rule "ports" {
            match ip saddr 198.18.0.0/15
            tcp dport vmap { 22 : drop, 80 : accept, 8000-8080 : jump web, 9000 : forward delay 5ms }
        }

        """

    static let named = """
        map services {
            type inet_service : verdict
            flags interval
            elements = { 22 : drop, 80 : accept,
                         8000-8080 : jump web, 9000 : forward delay 5ms }
        }
        chain web {
            rule "alt" {
                match tcp dport 8080
                drop
            }
        }
        rule "ports" {
            match ip saddr 198.18.0.0/15
            tcp dport vmap @services
        }

        """

    /// The map's elements with their values and actions (no source locations).
    static func elements(_ text: String) -> [String] {
        guard let policy = PolicyReader.parse(text: wrapped(text), path: "t.policy").policy,
            let rule = policy.rules.first(where: { $0.name == "ports" }), case .vmap(let map) = rule.action
        else { return [] }
        return map.elements.map { element in
            var action = "\(element.action)"
            if case .verdict(let verdict) = element.action { action = "\(verdict.kind) \(verdict.options)" }
            if case .jump(let chain) = element.action { action = "jump \(chain.name)" }
            return "\(map.field.rawValue) \(element.values) \(action)"
        }
    }

    private func errors(_ body: String) -> [String] {
        let result = PolicyReader.parse(text: wrapped(body), path: "t.policy")
        return result.errors.map { "\($0.location.map { "\($0.line):\($0.column)" } ?? "-") \($0.message)" }
    }

    private func warnings(_ body: String) -> [String] {
        let result = PolicyReader.parse(text: wrapped(body), path: "t.policy")
        return result.diagnostics.filter { $0.severity == .warning }.map {
            "\($0.location.map { "\($0.line):\($0.column)" } ?? "-") \($0.message)"
        }
    }

    @Test func aNamedMapIsTheInlineMap() {
        let inline = Self.elements(Self.inline)
        #expect(inline.count == 4)
        #expect(Self.elements(Self.named) == inline)
    }

    @Test func oneMapServesSeveralFieldsOfItsType() {
        let text = """
            map services { type inet_service : verdict; elements = { 53 : drop } }
            rule "tcp" {
                tcp dport vmap @services
            }
            rule "udp" {
                udp sport vmap @services
            }

            """
        #expect(errors(text) == [])
        #expect(warnings(text).isEmpty)
    }

    @Test func anUnknownMapOrASetIsAnErrorAtTheReference() {
        let body = """
            map services { type inet_service : verdict; elements = { 22 : drop } }
            set blocked = { 198.18.0.1 }
            rule "a" {
                tcp dport vmap @servics
            }
            rule "b" {
                ip saddr vmap @blocked
            }

            """
        #expect(
            errors(body) == [
                "6:20 unknown map '@servics'; did you mean 'services'?",
                "9:19 @blocked is a set, not a verdict map; declare map blocked { type ... : verdict; elements = { "
                    + "VALUE : VERDICT } }",
            ])
    }

    @Test func aKeyTypeTheFieldDoesNotTakeIsAnErrorAtTheReference() {
        let body = """
            map hosts { type ipv4_addr : verdict; elements = { 198.18.0.1 : drop } }
            rule "a" {
                tcp dport vmap @hosts
            }

            """
        #expect(
            errors(body) == [
                "5:20 map @hosts has type ipv4_addr keys, which tcp dport does not take (declared at t.policy:3:1)"
            ])
    }

    @Test func aDuplicateKeyIsAnErrorAtTheElementReportedOnce() {
        let body = """
            map services {
                type inet_service : verdict
                elements = { 22 : drop, 80 : accept, 22 : accept }
            }
            rule "a" {
                tcp dport vmap @services
            }
            rule "b" {
                udp dport vmap @services
            }

            """
        #expect(
            errors(body) == ["5:42 22 overlaps the element at t.policy:5:18; a verdict map's values must not overlap"])
    }

    @Test func declarationMistakesAreErrorsWhereTheyAre() {
        #expect(
            errors("map m { type inet_service; elements = { 22 : drop } }\n") == [
                "3:14 expected 'TYPE : verdict' after 'type', as in type inet_service : verdict; found 'inet_service'"
            ])
        #expect(
            errors("map m { type inet_service : ipv4_addr; elements = { 22 : 198.18.0.1 } }\n") == [
                "3:29 only verdict maps are supported (type inet_service : verdict), not maps to ipv4_addr"
            ])
        #expect(
            errors("map m { type inet_servce : verdict; elements = { 22 : drop } }\n").first?.hasPrefix(
                "3:14 unknown map key type 'inet_servce'") == true)
        #expect(
            errors("map m { type inet_service : verdict }\n") == [
                "3:5 map m needs its elements, as in elements = { 22 : drop, 80 : accept }"
            ])
        #expect(
            errors(
                "map m { type inet_service : verdict; elements = { 22 : drop } }\nmap m { type inet_service : verdict; elements = { 23 : drop } }\n"
            )
                == ["4:5 map '@m' is already defined at t.policy:3:1"])
        #expect(
            errors("set m = { 1 }\nmap m { type inet_service : verdict; elements = { 23 : drop } }\n")
                == ["4:5 '@m' is already defined as a set at t.policy:3:1"])
        #expect(errors("map m { type inet_service : verdict; elements = { 22 : fly } }\n").count == 1)
    }

    @Test func anUnusedMapIsAWarningAndItsElementsAreStillChecked() {
        #expect(
            warnings("map m { type inet_service : verdict; elements = { 22 : drop } }\n") == [
                "3:5 map '@m' is never used"
            ])
        #expect(errors("map m { type inet_service : verdict; elements = { 70000 : drop } }\n").count == 1)
    }
}
