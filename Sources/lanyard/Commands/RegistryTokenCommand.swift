import ArgumentParser
import Foundation
import LanyardSupport
import Logging
import Registry

/// Where the registry keeps its state: `--state` (SQLite) or `--database` (PostgreSQL).
struct RegistryStoreOptions: ParsableArguments {
    @Option(help: "State directory: the registry's SQLite database (unless --database is given).")
    var state: String?

    @Option(
        help: ArgumentHelp(
            "A PostgreSQL database shared by several replicas, as a URL: postgres://user@host/db, or postgresql:///db?host=/socket/dir.",
            valueName: "url"))
    var database: String?

    /// `--database` (or $LANYARD_REGISTRY_DATABASE) when given, else SQLite under `--state`.
    func location(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> RegistryConfiguration.State {
        if let url = database ?? environment["LANYARD_REGISTRY_DATABASE"].flatMap({ $0.isEmpty ? nil : $0 }) {
            return .postgres(try PostgresLocation(parsing: url))
        }
        guard let state else { throw CLIError(.usage, "--state names the state directory, unless --database names a PostgreSQL database") }
        return .sqlite(directory: URL(filePath: state, directoryHint: .isDirectory))
    }

    /// `body` with the store open, closed after it.
    func withStore<T>(_ body: (any RegistryStore) async throws -> T) async throws -> T {
        let store = try await RegistryStores.open(
            try location(), logger: Logger(label: "lanyard.registry", factory: { _ in SwiftLogNoOpLogHandler() }))
        let outcome: Result<T, any Error>
        do { outcome = .success(try await body(store)) } catch { outcome = .failure(error) }
        await store.close()
        return try outcome.get()
    }
}

struct RegistryTokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Make, rotate, revoke and list the registry's tokens (publisher, operator, viewer, kiosk).",
        discussion: """
            Each token belongs to one person or system and holds roles: publisher (releases), \
            operator (attendee pushes, agents), viewer (the fleet page and audit log), kiosk \
            (uploads). Only the SHA-256 of a token's secret is stored; the token is printed once. \
            Every change is recorded in the audit log with --reason (docs/registry-server.md).
            """,
        subcommands: [
            RegistryTokenCreateCommand.self, RegistryTokenRotateCommand.self, RegistryTokenRevokeCommand.self,
            RegistryTokenListCommand.self,
        ])
}

/// Who runs the command, as the audit log names them: `--actor`, else the login user.
struct ActorOptions: ParsableArguments {
    @Option(help: "Who is acting, for the audit log (default: the login user).")
    var actor: String?

    @Option(help: "Why, for the audit log.")
    var reason: String

    var name: String { actor ?? Self.loginUser }

    /// The login user, as the audit log names whoever runs a command on the registry's database.
    static var loginUser: String { "\(ProcessInfo.processInfo.userName) (command line)" }
}

/// Where a new token's text goes: a file made 0600, or standard output.
struct TokenOutputOptions: ParsableArguments {
    @Option(help: "Write the token to this new file (mode 0600) instead of standard output.")
    var output: String?

    @Option(help: "Days until the token expires (default: never).")
    var expiresDays: Double?

    var lifetime: TimeInterval? { expiresDays.map { $0 * 86_400 } }

    /// The output file, made before the token so that a token is never made unwritten; nil for
    /// standard output.
    func reserve() throws -> TokenFile.Reservation? {
        try output.map { path throws(TokenFile.Failure) in try TokenFile.Reservation(path: path) }
    }

    func write(_ token: AccessToken, to reservation: TokenFile.Reservation?) throws {
        guard let reservation else {
            print(token.text)
            return
        }
        try reservation.fill(with: token.text)
    }
}

struct RegistryTokenCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Make a token for a person or system.")

    @OptionGroup var store: RegistryStoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var output: TokenOutputOptions
    @Option(help: "The person or system that will hold the token.") var holder: String
    @Option(help: "A role: publisher, operator, viewer or kiosk (repeat).") var role: [String] = []

    func validate() throws {
        for name in role where AccessRole(rawValue: name) == nil {
            throw ValidationError("--role takes publisher, operator, viewer or kiosk, not '\(name)'")
        }
    }

    func run() async throws {
        try await withExitCodes {
            let reservation = try output.reserve()
            let (token, record) = try await store.withStore { store in
                try await TokenAdministration(store: store, actor: actor.name).create(
                    holder: holder, roles: role.compactMap(AccessRole.init(rawValue:)), lifetime: output.lifetime, reason: actor.reason)
            }
            try output.write(token, to: reservation)
            Terminal.note("token \(record.id) made for \(record.holder): \(record.rolesText)")
        }
    }
}

struct RegistryTokenRotateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate", abstract: "Replace a token; the old one stays valid for the overlap so its holder can move over.")

    @OptionGroup var store: RegistryStoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var output: TokenOutputOptions
    @Option(help: "The id of the token to replace.") var id: String
    @Option(help: "Hours the old token is still accepted.") var overlapHours: Double = 24

    func run() async throws {
        try await withExitCodes {
            let reservation = try output.reserve()
            let (token, record, rotated) = try await store.withStore { store in
                try await TokenAdministration(store: store, actor: actor.name).rotate(
                    id: id, overlap: overlapHours * 3_600, lifetime: output.lifetime, reason: actor.reason)
            }
            try output.write(token, to: reservation)
            let until = rotated.expiresAt.map { Timestamps.iso8601($0) } ?? "never"
            Terminal.note("token \(record.id) replaces \(rotated.id) of \(record.holder); \(rotated.id) is accepted until \(until)")
        }
    }
}

struct RegistryTokenRevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Refuse a token from now on.")

    @OptionGroup var store: RegistryStoreOptions
    @OptionGroup var actor: ActorOptions
    @Option(help: "The id of the token to revoke.") var id: String

    func run() async throws {
        try await withExitCodes {
            let record = try await store.withStore { store in
                try await TokenAdministration(store: store, actor: actor.name).revoke(id: id, reason: actor.reason)
            }
            Terminal.note("token \(record.id) of \(record.holder) revoked; replicas refuse it within seconds")
        }
    }
}

struct RegistryTokenListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Every token, as JSON lines (never a secret).")

    @OptionGroup var store: RegistryStoreOptions

    func run() async throws {
        try await withExitCodes {
            for record in try await store.withStore({ try await $0.tokens() }) {
                print(String(decoding: RegistryJSON.encode(record), as: UTF8.self))
            }
        }
    }
}

struct RegistryAuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "The audit log, newest first, as JSON lines.")

    @OptionGroup var store: RegistryStoreOptions
    @Option(help: "How many entries.") var limit = 100

    func run() async throws {
        try await withExitCodes {
            for entry in try await store.withStore({ try await $0.auditLog(before: nil, limit: max(1, limit)) }) {
                print(String(decoding: RegistryJSON.encode(entry), as: UTF8.self))
            }
        }
    }
}
