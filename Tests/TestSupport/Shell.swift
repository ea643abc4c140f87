import Foundation

/// What a command printed and how it ended.
public struct CommandResult: Sendable {
    public var status: Int32
    public var output: String
    public var errors: String

    public var succeeded: Bool { status == 0 }
}

/// Runs system tools (ip, nft, ethtool, curl, make...) for test setup and read-back.
public enum Shell {
    /// A command that exited non-zero, with what it printed.
    public struct Failure: Error, CustomStringConvertible {
        public let command: [String]
        public let status: Int32
        public let output: String
        public var description: String { "`\(command.joined(separator: " "))` exited \(status): \(output)" }

        public init(command: [String], status: Int32, output: String) {
            self.command = command
            self.status = status
            self.output = output
        }
    }

    /// Runs `arguments` (looked up on PATH) and returns how it ended, whatever the status.
    public static func result(
        _ arguments: [String], input: String? = nil, environment: [String: String]? = nil
    ) -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let environment { process.environment = environment }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let inputPipe = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : inputPipe
        do {
            try process.run()
        } catch {
            return CommandResult(status: -1, output: "", errors: "cannot run \(arguments): \(error)")
        }
        if let input {
            inputPipe.fileHandleForWriting.write(Data(input.utf8))
            try? inputPipe.fileHandleForWriting.close()
        }
        // Read both pipes before waiting so a large output cannot block the child.
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CommandResult(
            status: process.terminationStatus, output: String(decoding: data, as: UTF8.self),
            errors: String(decoding: errorData, as: UTF8.self))
    }

    /// Runs `arguments` and returns its stdout; throws with its stderr on a non-zero exit.
    @discardableResult
    public static func run(_ arguments: [String], input: String? = nil) throws -> String {
        let result = result(arguments, input: input)
        guard result.succeeded else {
            throw Failure(command: arguments, status: result.status, output: result.errors + result.output)
        }
        return result.output
    }

    @discardableResult
    public static func run(_ arguments: String...) throws -> String {
        try run(arguments)
    }

    /// Whether `tool` is on PATH.
    public static func exists(_ tool: String) -> Bool {
        result(["sh", "-c", "command -v \(tool)"]).succeeded
    }
}
