import Foundation

/// The result of running a command.
struct CommandResult {
    var status: Int32
    var output: String
    var error: String

    var succeeded: Bool { status == 0 }
}

/// Runs commands (`ip`, `nft`) for test setup and read-back; never used by the module itself.
enum Shell {
    static func run(_ arguments: [String], input: String? = nil) -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        let inputPipe = Pipe()
        if input != nil { process.standardInput = inputPipe }
        do {
            try process.run()
        } catch {
            return CommandResult(status: -1, output: "", error: "cannot run \(arguments): \(error)")
        }
        if let input {
            inputPipe.fileHandleForWriting.write(Data(input.utf8))
            try? inputPipe.fileHandleForWriting.close()
        }
        // Read both pipes before waiting so a large output cannot block the child.
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CommandResult(
            status: process.terminationStatus, output: String(decoding: outData, as: UTF8.self),
            error: String(decoding: errData, as: UTF8.self))
    }

    /// Runs and fails the calling test with the command's stderr when it fails.
    @discardableResult
    static func must(_ arguments: [String], input: String? = nil) throws -> String {
        let result = run(arguments, input: input)
        guard result.succeeded else { throw ShellError(command: arguments, result: result) }
        return result.output
    }
}

struct ShellError: Error, CustomStringConvertible {
    var command: [String]
    var result: CommandResult
    var description: String {
        "`\(command.joined(separator: " "))` exited \(result.status): \(result.error)\(result.output)"
    }
}
