import Agent
import ArgumentParser
import BadgePipeline
import Badges
import Foundation
import LanyardSupport
import Registry
import Sync
import TUF

/// The registry side of the signed repository: keys, publication, rollback and the server.
struct RegistryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "Publish signed templates, profiles and attendee snapshots to a repository directory.",
        discussion: """
            A repository is a directory any web server can serve, in TUF's format; trust is in its \
            signatures (docs/registry-protocol.md). Keep root and targets keys offline; the \
            snapshot and timestamp keys may live on the registry server, which re-signs the timestamp.
            """,
        subcommands: [
            RegistryKeygenCommand.self, RegistryInitCommand.self, RegistryPublishCommand.self, RegistryPromoteCommand.self,
            RegistryRollbackCommand.self, RegistryRevokeCommand.self, RegistryRotateRootCommand.self,
            RegistryTimestampCommand.self, RegistryDelegateCommand.self, RegistryMigrateCommand.self, RegistryStatusCommand.self,
            RegistryServeCommand.self, RegistryTokenCommand.self, RegistryAuditCommand.self,
        ]
    )
}

/// The repository and the key ring that signs a publication: the role's keys, and the
/// snapshot and timestamp keys for the new snapshot and timestamp.
struct PublishingOptions: ParsableArguments {
    @Option(help: "Repository directory (or --registry: publish through the registry server).")
    var repository: String?

    @Option(name: .customLong("targets-key"), help: "Key file of the role published into (repeat to meet its threshold).")
    var targetsKeys: [String] = []

    @Option(name: .customLong("snapshot-key"), help: "Key file of the snapshot role (repeat; default: the timestamp keys).")
    var snapshotKeys: [String] = []

    @Option(name: .customLong("timestamp-key"), help: "Key file of the timestamp role (repeat to meet its threshold).")
    var timestampKeys: [String] = []

    @Option(help: "Targets role to publish into: targets, or a delegated role such as a venue's.")
    var role = "targets"

    @Option(help: "Days until the new targets and snapshot metadata expire (default: 90).")
    var targetsExpiresDays: Double?

    @Option(help: "Seconds until the new timestamp expires (default: 86400; the registry server re-signs it).")
    var timestampLifetime: Double?

    /// What only a publication written here takes: the server signs with its own keys and expiries.
    var localOnlyOptions: [String] {
        [
            ("--repository", repository != nil), ("--targets-key", !targetsKeys.isEmpty), ("--snapshot-key", !snapshotKeys.isEmpty),
            ("--timestamp-key", !timestampKeys.isEmpty), ("--targets-expires-days", targetsExpiresDays != nil),
            ("--timestamp-lifetime", timestampLifetime != nil),
        ].filter(\.1).map(\.0)
    }

    func publisher() throws -> RegistryPublisher {
        guard let repository, !targetsKeys.isEmpty, !timestampKeys.isEmpty else {
            throw CLIError(
                .usage, "a publication written here needs --repository, --targets-key and --timestamp-key")
        }
        let days = targetsExpiresDays ?? 90
        return RegistryPublisher(
            repository: URL(filePath: repository, directoryHint: .isDirectory),
            signers: try RegistryKeys.read(targetsKeys + snapshotKeys + timestampKeys), role: role,
            expiry: TUFExpiryPolicy(targets: days * 86_400, snapshot: days * 86_400, timestamp: timestampLifetime ?? 86_400))
    }
}

/// Who is accountable for a publication, and where it is made: through a registry server with a
/// publisher token (`--registry`, `--token-file`, `--reason`), which signs it and keeps it in its
/// audit log; or here with key files (`PublishingOptions`), recorded in the registry's audit log
/// when its database is named (`--state` or `--database`, with `--reason`).
struct PublicationAccountOptions: ParsableArguments {
    @Option(help: "Registry server URL: publish through it with a publisher token, instead of --repository and key files.")
    var registry: String?

    @Option(help: "File holding a publisher token of that registry (lanyard registry token create --role publisher).")
    var tokenFile: String?

    @Option(help: "Why, for the registry's audit log: required with --registry, and with --state or --database.")
    var reason: String?

    @OptionGroup var store: RegistryStoreOptions

    /// Where the publication goes, or the usage error that says what is missing or out of place.
    func mode(_ options: PublishingOptions) throws -> PublicationMode {
        let auditsHere = store.state != nil || store.database != nil
        if let registry {
            let misplaced = options.localOnlyOptions + (auditsHere ? ["--state/--database"] : [])
            guard misplaced.isEmpty else {
                throw CLIError(
                    .usage,
                    "with --registry the server signs and keeps the audit log: \(misplaced.joined(separator: ", ")) "
                        + "belong to a publication written here")
            }
            guard let token = try TokenFile.read(tokenFile) else { throw CLIError(.usage, "--registry needs --token-file") }
            return .remote(
                RegistryPublicationClient(
                    serverURL: registry, token: token, codes: [RegistryErrorCode.self, SyncErrorCode.self, TUFErrorCode.self]),
                reason: try Self.required(reason, "--registry"))
        }
        guard tokenFile == nil else { throw CLIError(.usage, "--token-file is for publishing through --registry") }
        let publisher = try options.publisher()
        guard auditsHere else {
            guard reason == nil else {
                throw CLIError(
                    .usage, "--reason is kept in the registry's audit log: name its database with --state or --database, or use --registry")
            }
            return .local(publisher, audit: nil)
        }
        return .local(publisher, audit: (store, try Self.required(reason, "--state or --database")))
    }

    private static func required(_ reason: String?, _ with: String) throws -> String {
        guard let reason, !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw CLIError(.usage, "\(with) needs --reason: the audit log keeps why with every publication")
        }
        return reason
    }
}

/// A publication written here (and, with a database, recorded in its audit log), or sent to a
/// registry server.
enum PublicationMode {
    case local(RegistryPublisher, audit: (store: RegistryStoreOptions, reason: String)?)
    case remote(RegistryPublicationClient, reason: String)

    /// Carries out `action` on `target`: `local` signs it here, `remote` sends `request`. Prints the
    /// summary line, the same in both modes, and returns nothing: what was made is in the line.
    func run(
        _ action: PublicationAction, target: String, share: Double = 1, role: String, request: () throws -> PublicationRequest,
        local: (RegistryPublisher) throws -> RegistryPublisher.Publication
    ) async throws {
        switch self {
        case .remote(let client, let reason):
            let result = try await client.send(try request(), reason: reason)
            for warning in result.warnings { Terminal.warning(warning) }
            print(result.summary)
        case .local(let publisher, nil):
            print(try local(publisher).summary(action: action.done(share: share), role: role))
        case .local(let publisher, let audit?):
            // The database is opened first: one that cannot be reached stops the publication
            // before anything is signed.
            try await audit.store.withStore { store in
                let publication = try local(publisher)
                let result = PublicationResult(publication, action: action, share: share, role: role)
                print(result.summary)
                let entry = AuditEntry.publication(result, actor: ActorOptions.loginUser, reason: audit.reason)
                do { _ = try await store.recordAudit(entry) } catch let error as RegistryError {
                    throw CLIError(
                        error.exitStatus, "\(result.summary), but the audit log could not be written: \(error.description)")
                }
            }
        }
    }
}

/// Key files named on the command line (TUF key files, or Ed25519 key files of the registry's
/// first format, which carry over).
enum RegistryKeys {
    static func read(_ files: [String]) throws -> [TUFSigningKey] {
        try files.map { file in
            // A key file that is not there is named with the missing-input code, as before the move.
            guard FileManager.default.fileExists(atPath: file) else {
                throw SyncError(.fileMissing, "there is no key file here (make keys with 'lanyard registry keygen')", subject: file)
            }
            return try TUFSigningKey.read(from: URL(filePath: file))
        }
    }
}

struct RegistryKeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen", abstract: "Create signing keys, one file each (mode 0600, never overwritten).")

    @Argument(help: "Key files to create.")
    var files: [String]

    @Option(help: "Key type: ed25519, ecdsa-sha2-nistp256 or rsassa-pss-sha256.")
    var type = "ed25519"

    func run() throws {
        try withExitCodes {
            guard !files.isEmpty else { throw CLIError(.usage, "name at least one key file") }
            guard let scheme = TUFSigningKey.Scheme(rawValue: type) else {
                throw CLIError(.usage, "--type is one of \(TUFSigningKey.Scheme.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            for file in files {
                let key = try TUFSigningKey.generate(scheme)
                try key.write(to: URL(filePath: file))
                print("\(file): \(scheme.rawValue) keyid \(key.keyid)")
            }
        }
    }
}

/// The keys of each top-level role and their thresholds, as `init` and `rotate-root` take them.
struct RootRoleOptions: ParsableArguments {
    @Option(name: .customLong("root-key"), help: "Key file of a root key (repeat).")
    var rootKeys: [String] = []

    @Option(help: "Root signatures needed for a new root.")
    var rootThreshold: Int64 = 1

    @Option(name: .customLong("targets-key"), help: "Key file of a targets key (repeat).")
    var targetsKeys: [String] = []

    @Option(help: "Targets signatures needed.")
    var targetsThreshold: Int64 = 1

    @Option(name: .customLong("snapshot-key"), help: "Key file of a snapshot key (repeat; default: the timestamp keys).")
    var snapshotKeys: [String] = []

    @Option(name: .customLong("timestamp-key"), help: "Key file of a timestamp key (repeat).")
    var timestampKeys: [String] = []

    @Option(help: "Days until the root expires.")
    var rootExpiresDays: Double = 365

    /// The private keys, which sign what the new root makes them sign.
    func signers() throws -> (root: [TUFSigningKey], all: [TUFSigningKey]) {
        guard !rootKeys.isEmpty, !targetsKeys.isEmpty, !timestampKeys.isEmpty else {
            throw CLIError(.usage, "a root needs --root-key, --targets-key and --timestamp-key")
        }
        let root = try RegistryKeys.read(rootKeys)
        return (root, root + (try RegistryKeys.read(targetsKeys + snapshotKeys + timestampKeys)))
    }

    func root(version: Int64) throws -> Root {
        let timestamp = try RegistryKeys.read(timestampKeys).map(\.publicKey)
        let snapshot = snapshotKeys.isEmpty ? timestamp : try RegistryKeys.read(snapshotKeys).map(\.publicKey)
        return try Root(
            version: version, expires: Date().addingTimeInterval(rootExpiresDays * 86_400),
            roles: [
                "root": RoleAssignment(try RegistryKeys.read(rootKeys).map(\.publicKey), threshold: rootThreshold),
                "targets": RoleAssignment(try RegistryKeys.read(targetsKeys).map(\.publicKey), threshold: targetsThreshold),
                "snapshot": RoleAssignment(snapshot), "timestamp": RoleAssignment(timestamp),
            ])
    }
}

struct RegistryInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a repository: root version 1 naming the keys of each role, and empty targets.",
        discussion: "Every key given signs what its role needs. Kiosks are provisioned with metadata/1.root.json.")

    @Option(help: "Repository directory (created).")
    var repository: String

    @OptionGroup var roles: RootRoleOptions

    func run() throws {
        try withExitCodes {
            let directory = URL(filePath: repository, directoryHint: .isDirectory)
            let signers = try roles.signers()
            try RegistryPublisher.writer(directory).initialize(root: try roles.root(version: 1), signers: signers.all)
            print(
                "created \(repository) with root version 1 (root threshold \(roles.rootThreshold) of \(signers.root.count)); "
                    + "provision kiosks with \(directory.appending(path: RepositoryLayout.root(version: 1)).path)")
        }
    }
}

struct RegistryPublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Publish a template bundle, printer profiles or an attendee snapshot as a new version.",
        discussion: """
            Give one of --template, --profiles-dir, --attendees or --attendees-from-state. A template \
            bundle is checked first \
            (manifest, every file's SHA-256, the template itself) so a broken bundle is never \
            published. With --share below 1 the release is staged to that share of the fleet; \
            'promote' gives it to everyone, 'rollback' withdraws it. --attendees-from-state publishes \
            the event's attendee list as the registry server holds it (its state directory), at \
            the server's cursor, so kiosks that apply it then follow the server's change log. \
            With --registry, --token-file and --reason the release is sent to the registry server, \
            which signs it with its publication keys and records it in its audit log.
            """)

    @OptionGroup var options: PublishingOptions

    @OptionGroup var account: PublicationAccountOptions

    @Option(help: "Template bundle directory.")
    var template: String?

    @Option(
        name: [.customLong("profiles-dir"), .customLong("profiles")],
        help: "Directory of printer profile YAML files to publish (--profiles: its former name).")
    var profiles: String?

    @Option(help: "Attendee snapshot (JSON Lines) for --event.")
    var attendees: String?

    @Option(help: "Registry server state directory: publish --event's attendee list from its database, at its cursor.")
    var attendeesFromState: String?

    @Option(help: "Target name (default: the bundle's or directory's name, or the event).")
    var name: String?

    @Option(help: "Where a template applies: global, event:SLUG or track:SLUG/TRACK.")
    var scope = "global"

    @Option(help: "Event slug of an attendee snapshot.")
    var event: String?

    @Option(help: "Cursor the attendee snapshot is at (deltas continue from it).")
    var cursor: Int64 = 0

    @Option(help: "Label shown to people (default: the template's version or the date).")
    var label: String?

    @Option(help: "Share of the fleet to stage the release to (0 < share <= 1).")
    var share: Double = 1

    func run() async throws {
        try await withExitCodes {
            let sources = [template, profiles, attendees, attendeesFromState].compactMap { $0 }
            guard sources.count == 1 else {
                throw CLIError(.usage, "give exactly one of --template, --profiles-dir, --attendees or --attendees-from-state")
            }
            let mode = try account.mode(options)
            try await withRelease { release in
                try await mode.run(
                    .publish, target: release.target, share: share, role: options.role,
                    request: {
                        try PublicationRequest.publish(
                            directory: release.directory, target: release.target, kind: release.kind, scope: release.scope,
                            label: release.label, share: share, cursor: release.cursor, role: options.role)
                    },
                    local: { publisher in
                        if let scope = release.scope, let warning = try publisher.scopeWarning(for: release.target, scope: scope) {
                            Terminal.warning(warning)
                        }
                        return try publisher.publishDirectory(
                            release.directory, as: release.target, kind: release.kind, scope: release.scope, label: release.label,
                            cursor: release.cursor, share: share)
                    })
            }
        }
    }

    /// What a publication of the command's source sends: its directory and how it is published.
    struct Release {
        var directory: URL
        var target: String
        var kind: TargetKind
        var scope: TemplateScope?
        var label: String
        var cursor: Int64?
    }

    /// `body` with the release the options name, checked as `templates check` checks a bundle;
    /// an attendee snapshot is staged in a temporary directory meanwhile.
    func withRelease(_ body: (Release) async throws -> Void) async throws {
        if let template {
            let directory = URL(filePath: template, directoryHint: .isDirectory)
            _ = try BundleManifest.verify(directory: directory)
            let bundle = try TemplateBundle.load(directory: directory)
            try Self.refuseTemplateErrors(bundle)
            try await body(
                Release(
                    directory: directory, target: "templates/\(name ?? directory.lastPathComponent)", kind: .template,
                    scope: try TemplateScope(parsing: scope), label: label ?? bundle.template.version))
        } else if let profiles {
            let directory = URL(filePath: profiles, directoryHint: .isDirectory)
            try await body(
                Release(
                    directory: directory, target: "profiles/\(name ?? directory.lastPathComponent)", kind: .profiles,
                    // Undated profiles: the UTC date.
                    label: label ?? String(Timestamps.iso8601(Date()).prefix(10))))
        } else {
            guard let event else { throw CLIError(.usage, "an attendee snapshot needs --event") }
            let snapshot = try AttendeeSnapshotStaging(
                event: event, file: attendees.map { URL(filePath: $0) },
                stateDirectory: attendeesFromState.map { URL(filePath: $0, directoryHint: .isDirectory) },
                cursor: cursor)
            defer { snapshot.remove() }
            try await body(
                Release(
                    directory: snapshot.directory, target: "attendees/\(name ?? event)", kind: .attendeeSnapshot,
                    label: label ?? "cursor \(snapshot.cursor)", cursor: snapshot.cursor))
        }
    }

    /// A template that `templates check` calls broken never reaches a kiosk: the same check, its
    /// errors in the same words, and nothing published.
    static func refuseTemplateErrors(_ bundle: TemplateBundle) throws {
        let check = try TemplateCheck(
            bundle: bundle, event: try Installation.event(nil), dpis: [203, 300], logger: Installation.quietLogger)
        let errors = check.errors
        guard !errors.isEmpty else { return }
        for error in errors { Terminal.error(error.description) }
        throw CLIError(
            .contentErrors, "\(bundle.template.name): \(errors.count) error(s) found by 'lanyard templates check'; nothing was published")
    }
}

struct RegistryPromoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "promote", abstract: "Give a staged release to the whole fleet.")

    @OptionGroup var change: TargetChange

    func run() async throws {
        try await withExitCodes { try await change.apply(.promote) { try $0.promote($1) } }
    }
}

struct RegistryRollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Withdraw a staged release, or make the previous release current again.",
        discussion: "Published as a new, higher version: kiosks never have to accept a lower one.")

    @OptionGroup var change: TargetChange

    func run() async throws {
        try await withExitCodes { try await change.apply(.rollback) { try $0.rollback($1) } }
    }
}

struct RegistryRevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Remove a target from the repository (its template tier falls through to the next).",
        discussion: "To revoke a key, publish a new root without it: 'lanyard registry rotate-root'.")

    @OptionGroup var change: TargetChange

    func run() async throws {
        try await withExitCodes { try await change.apply(.revoke) { try $0.revoke($1) } }
    }
}

struct RegistryRotateRootCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-root",
        abstract: "Publish the next root version with new keys (how a lost or retired key is revoked).",
        discussion: """
            The new root must be signed by a threshold of the current root keys (--sign-key) and a \
            threshold of the new ones (the new --root-key files sign too). Where targets, snapshot or \
            timestamp keys change, their metadata is signed again by the new keys, so give those too. \
            Kiosks follow the chain one version at a time and refuse a root not signed so.
            """)

    @Option(help: "Repository directory.") var repository: String
    @Option(name: .customLong("sign-key"), help: "Key file of a current root key (repeat to meet its threshold).")
    var signKeys: [String] = []
    @OptionGroup var roles: RootRoleOptions

    func run() throws {
        try withExitCodes {
            let writer = RegistryPublisher.writer(URL(filePath: repository, directoryHint: .isDirectory))
            let next = try roles.root(version: try writer.state().root.common.version + 1)
            let versions = try writer.rotateRoot(to: next, signers: try RegistryKeys.read(signKeys) + roles.signers().all)
            print("root version \(versions.root) published (snapshot \(versions.snapshot), timestamp \(versions.timestamp))")
        }
    }
}

struct RegistryTimestampCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timestamp", abstract: "Re-sign the timestamp with a fresh expiry (the registry server does this on its own).")

    @Option(help: "Repository directory.") var repository: String
    @Option(name: .customLong("timestamp-key"), help: "Key file of the timestamp role (repeat).") var timestampKeys: [String] = []
    @Option(help: "Seconds until the new timestamp expires.") var lifetime: Double = 86_400

    func run() throws {
        try withExitCodes {
            guard !timestampKeys.isEmpty else { throw CLIError(.usage, "give --timestamp-key") }
            let versions = try RegistryPublisher.writer(URL(filePath: repository, directoryHint: .isDirectory)).resignTimestamp(
                signers: try RegistryKeys.read(timestampKeys), expiry: TUFExpiryPolicy(timestamp: lifetime))
            print("timestamp version \(versions.timestamp), snapshot version \(versions.snapshot)")
        }
    }
}

struct RegistryDelegateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delegate",
        abstract: "Give a venue's role its own units: the targets role trusts it for them, and only for them.",
        discussion: """
            --units takes unit patterns such as templates/berlin-* (repeat); every path depth a \
            release may have is delegated. The role is published empty at first (its keys sign it: \
            give --role-key); then 'publish --role NAME' publishes into it with the venue's key. \
            Delegating a role again replaces its keys and units.
            """)

    @OptionGroup var options: PublishingOptions
    @Option(name: .customLong("delegate"), help: "Name of the delegated role, e.g. venue-berlin.") var name: String
    @Option(name: .customLong("role-key"), help: "Key file of a key of the delegated role (repeat).") var roleKeys: [String] = []
    @Option(help: "Signatures of the delegated role needed.") var threshold: Int64 = 1
    @Option(name: .customLong("units"), help: "Unit pattern the role may publish, e.g. templates/berlin-* (repeat).")
    var units: [String] = []

    func run() throws {
        try withExitCodes {
            guard !roleKeys.isEmpty, !units.isEmpty else { throw CLIError(.usage, "a delegation needs --role-key and --units") }
            let keys = try RegistryKeys.read(roleKeys)
            let publisher = try options.publisher()
            let versions = try publisher.writer.publish(signers: publisher.signers + keys, expiry: publisher.expiry) {
                (publication: inout TUFPublication) throws(TUFError) in
                let current = try publication.published(options.role)?.delegations
                var listed = current?.keys ?? .empty
                for key in keys { listed = listed.setting(key.keyid, key.publicKey) }
                let role = try DelegatedRole(
                    name: name, keyids: keys.map(\.keyid), threshold: threshold, terminating: true,
                    paths: .patterns(units.flatMap { TargetCatalog.delegationPatterns(unitPattern: $0) }))
                let roles = (current?.roles.filter { $0.name != name } ?? []) + [role]
                publication.setDelegations(try Delegations(keys: listed, roles: roles), role: options.role)
            }
            print("\(options.role) version \(versions.targets[options.role] ?? 0) delegates \(units.joined(separator: ", ")) to \(name)")
        }
    }
}

struct RegistryMigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Hand kiosks of the registry's first format over to the TUF repository beside it.",
        discussion: """
            Run 'init' and publish into the TUF repository first. This signs one last root of the \
            first format, with its root keys (--sign-key, the old key files), naming \
            metadata/1.root.json by length and SHA-256: kiosks follow their old root chain to it \
            and trust the TUF root from then on (docs/registry-protocol.md).
            """)

    @Option(help: "Repository directory holding root/ of the first format and metadata/ of TUF.") var repository: String
    @Option(name: .customLong("sign-key"), help: "Key file of a root key of the first format (repeat to meet its threshold).")
    var signKeys: [String] = []
    @Option(help: "Days until the last root of the first format expires.") var rootExpiresDays: Double = 365

    func run() throws {
        try withExitCodes {
            let directory = URL(filePath: repository, directoryHint: .isDirectory)
            let path = directory.appending(path: RepositoryLayout.root(version: 1))
            guard let tufRoot = FileManager.default.contents(atPath: path.path) else {
                throw CLIError(.inputMissing, "there is no TUF root at \(path.path): run 'lanyard registry init' first")
            }
            let version = try LegacySuccession.writeSuccessor(
                repository: directory, tufRoot: tufRoot, rootKeys: try signKeys.map { try SigningKey.read(from: URL(filePath: $0)) },
                expires: Date().addingTimeInterval(rootExpiresDays * 86_400))
            print("root/\(version).json names the TUF root; kiosks of the first format move over at their next refresh")
        }
    }
}

struct RegistryStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show what a repository holds.")

    @Option(help: "Repository directory.") var repository: String
    @Option(help: "Targets role to list.") var role = "targets"

    func run() throws {
        try withExitCodes {
            let directory = URL(filePath: repository, directoryHint: .isDirectory)
            let state = try RegistryPublisher.writer(directory).state()
            let root = state.root
            print("root version \(root.common.version), expires \(root.common.expires)")
            for entry in root.roles.entries {
                print(
                    "  \(entry.name): \(entry.value.threshold) of \(entry.value.keyids.map { String($0.prefix(12)) }.joined(separator: ", "))"
                )
            }
            guard let timestamp = state.timestamp, let snapshot = state.snapshot else {
                print("nothing published yet")
                return
            }
            print("timestamp version \(timestamp.common.version), expires \(timestamp.common.expires)")
            print("snapshot version \(snapshot.common.version), roles: \(snapshot.meta.names.joined(separator: ", "))")
            let targets = try RegistryPublisher(repository: directory, signers: [], role: role).currentTargets()
            for (name, target) in targets.sorted(by: { $0.key < $1.key }) {
                var line =
                    "  \(name) [\(target.kind.rawValue)\(target.scope.map { ", \($0)" } ?? "")]: \(target.current.label) "
                    + "(\(target.current.digest.prefix(12)), \(target.current.files.count) files, \(target.current.totalLength) bytes)"
                if let staged = target.staged {
                    line += "; staged \(staged.release.label) to \(RegistryPublisher.Publication.percent(staged.share))"
                }
                print(line)
            }
        }
    }
}

/// One change to one target (promote, rollback, revoke), signed and published here or sent to
/// the registry server.
struct TargetChange: ParsableArguments {
    @OptionGroup var options: PublishingOptions
    @OptionGroup var account: PublicationAccountOptions
    @OptionGroup var target: TargetNameArgument

    func apply(
        _ action: PublicationAction, _ change: (RegistryPublisher, String) throws -> RegistryPublisher.Publication
    ) async throws {
        let name = target.name
        try await account.mode(options).run(
            action, target: name, role: options.role,
            request: { PublicationRequest(action: action, target: name, role: options.role) },
            local: { try change($0, name) })
    }
}

/// The target a command acts on: `--name NAME`, as `publish` takes it, or the name alone after
/// the command, as before.
struct TargetNameArgument: ParsableArguments {
    @Option(name: .customLong("name"), help: "Target name, e.g. templates/standard.")
    var option: String?

    @Argument(help: ArgumentHelp("The target name alone (the same as --name).", valueName: "name"))
    var positional: String?

    var name: String { option ?? positional ?? "" }

    func validate() throws {
        guard (option == nil) != (positional == nil) else { throw ValidationError("name the target once: --name NAME (or NAME alone)") }
    }
}
