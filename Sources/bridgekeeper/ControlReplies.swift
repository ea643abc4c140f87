import ArgumentParser
import Bridge
import Foundation

/// The CLI's side of a control-socket exchange: one request line, its JSON reply, and the
/// one-line errors and exit status 1 every control command gives when either fails.
enum ControlReplies {
    /// The reply to `command` from the bridge listening on `control`.
    static func request(_ command: String, control: String, timeoutSeconds: Int = 5) throws -> String {
        do {
            return try ControlClient.request(command, path: control, timeoutSeconds: timeoutSeconds)
        } catch {
            printError("bridgekeeper: \(error)")
            throw ExitCode(1)
        }
    }

    /// `text`, a reply from `control`, decoded as `Reply`.
    static func decode<Reply: Decodable>(_ type: Reply.Type, _ text: String, from control: String) throws -> Reply {
        guard let reply = try? JSONDecoder().decode(Reply.self, from: Data(text.utf8)) else {
            printError("bridgekeeper: unexpected reply from \(control): \(text.prefix(200))")
            throw ExitCode(1)
        }
        return reply
    }
}
