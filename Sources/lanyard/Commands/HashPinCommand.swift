import Agent
import ArgumentParser
import Foundation
import LanyardSupport

struct HashPinCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash-pin",
        abstract: "Hash a staff PIN for the agent configuration's staff list (read from standard input, never an argument).",
        discussion: "staff: [{name: ana, role: operator, pin_hash: <this output>}]; roles: technician, operator, admin.")

    func run() throws {
        try withExitCodes {
            guard let pin = readLine(strippingNewline: true), (4...64).contains(pin.count), pin.allSatisfy({ !$0.isWhitespace })
            else {
                throw CLIError(.usage, "give the PIN on standard input: 4 to 64 characters, no spaces")
            }
            print(try PinHash.make(pin: pin))
        }
    }
}
