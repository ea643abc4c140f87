import Foundation

/// Runs system tools (ip, ethtool, sysctl) for test setup, failing loudly with their stderr.
public enum Shell {
    public struct Failure: Error, CustomStringConvertible {
        let command: [String]
        let status: Int32
        let output: String
        public var description: String { "`\(command.joined(separator: " "))` exited \(status): \(output)" }
    }

    /// Runs `arguments` (looked up on PATH) and returns its stdout; throws on a non-zero exit.
    @discardableResult
    public static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw Failure(
                command: arguments, status: process.terminationStatus,
                output: String(decoding: errorData, as: UTF8.self) + text)
        }
        return text
    }

    @discardableResult
    public static func run(_ arguments: String...) throws -> String {
        try run(arguments)
    }
}
