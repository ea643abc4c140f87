import ArgumentParser
import Bridge
import Foundation

/// `bridgekeeper set-list SET`: the elements a dynamic set of the running bridge holds, as
/// `nft list set` shows them.
struct SetListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-list",
        abstract: "List the elements the dynamic set SET of the running bridge holds, with the time each has left.")

    @Argument(help: "The dynamic set (with or without its '@').")
    var set: String

    @Option(help: "The control socket of the running bridge.")
    var control: String = ControlListener.defaultPath

    @Flag(help: "Print the elements as JSON.")
    var json = false

    struct Reply: Decodable {
        struct Element: Decodable {
            var value: String
            var expiresIn: Double?
        }
        var set: String?
        var capacity: Int?
        var elements: [Element]?
        var error: String?
    }

    func run() throws {
        let text = try ControlReplies.request("set-list \(set)", control: control, timeoutSeconds: 10)
        let reply = try ControlReplies.decode(Reply.self, text, from: control)
        if let error = reply.error {
            printError("bridgekeeper: \(error)")
            throw ExitCode(1)
        }
        if json {
            print(text)
            return
        }
        let elements = reply.elements ?? []
        print("set @\(reply.set ?? set): \(elements.count) of \(reply.capacity ?? 0) elements")
        for element in elements {
            let expires = element.expiresIn.map { String(format: "  expires in %.3fs", $0) } ?? ""
            print("  \(element.value)\(expires)")
        }
    }
}
