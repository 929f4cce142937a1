import Agent
import ArgumentParser
import Foundation
import LanyardSupport

struct HashPinCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash-pin",
        abstract: "Hash a staff PIN for the agent configuration's staff list (read from standard input, never an argument).",
        discussion: "staff: [{name: ana, role: operator, pin_hash: <this output>}]; roles: technician, operator, admin.")

    @Flag(help: "Hash an access token instead, for tokens: [{name, scopes, sha256: <this output>}] (SHA-256, hex).")
    var token = false

    func run() throws {
        try withExitCodes {
            let text = readLine(strippingNewline: true) ?? ""
            if token {
                guard AccessToken.isStrong(text) else { throw CLIError(.usage, "a token of 32 characters or more, no spaces") }
                return print(AccessToken.digest(of: text))
            }
            guard (4...64).contains(text.count), text.allSatisfy({ !$0.isWhitespace }) else {
                throw CLIError(.usage, "give the PIN on standard input: 4 to 64 characters, no spaces")
            }
            print(try PinHash.make(pin: text))
        }
    }
}
