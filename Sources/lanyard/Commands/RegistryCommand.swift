import Agent
import ArgumentParser
import BadgePipeline
import Badges
import Foundation
import LanyardSupport
import Registry
import Sync

/// The registry side of the signed repository: keys, publication, rollback and the server.
struct RegistryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "Publish signed templates, profiles and attendee snapshots to a repository directory.",
        discussion: """
            A repository is a directory any web server can serve; trust is in its Ed25519 \
            signatures (docs/registry-protocol.md). Keep root and targets keys offline; the \
            timestamp key may live on the registry server, which re-signs the timestamp.
            """,
        subcommands: [
            RegistryKeygenCommand.self, RegistryInitCommand.self, RegistryPublishCommand.self, RegistryPromoteCommand.self,
            RegistryRollbackCommand.self, RegistryRevokeCommand.self, RegistryRotateRootCommand.self,
            RegistryTimestampCommand.self, RegistryStatusCommand.self, RegistryServeCommand.self,
        ]
    )
}

/// The repository and the keys that sign a new targets version and its timestamp.
struct PublishingOptions: ParsableArguments {
    @Option(help: "Repository directory.")
    var repository: String

    @Option(name: .customLong("targets-key"), help: "Key file of the targets role (repeat to meet its threshold).")
    var targetsKeys: [String] = []

    @Option(name: .customLong("timestamp-key"), help: "Key file of the timestamp role (repeat to meet its threshold).")
    var timestampKeys: [String] = []

    @Option(help: "Days until the new targets metadata expires.")
    var targetsExpiresDays: Double = 90

    @Option(help: "Seconds until the new timestamp expires (the registry server re-signs it).")
    var timestampLifetime: Double = 86_400

    func publisher() throws -> RegistryPublisher {
        guard !targetsKeys.isEmpty, !timestampKeys.isEmpty else {
            throw CLIError(.usage, "publishing needs --targets-key and --timestamp-key")
        }
        return RegistryPublisher(
            repository: URL(filePath: repository, directoryHint: .isDirectory),
            targetsKeys: try targetsKeys.map { try SigningKey.read(from: URL(filePath: $0)) },
            timestampKeys: try timestampKeys.map { try SigningKey.read(from: URL(filePath: $0)) },
            expiry: ExpiryPolicy(targets: targetsExpiresDays * 86_400, timestamp: timestampLifetime))
    }

    /// Runs a change of the repository under its publish lock, the one the registry server's
    /// timestamp refresher takes: two writers could otherwise sign two timestamps with one version.
    func locked<T>(_ body: () throws -> T) throws -> T {
        try RepositoryLock.waiting(repository: repository, body)
    }

    func report(_ publication: RegistryPublisher.Publication, action: String) {
        print(publication.summary(action: action))
    }
}

struct RegistryKeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen", abstract: "Create Ed25519 signing keys, one file each (mode 0600, never overwritten).")

    @Argument(help: "Key files to create.")
    var files: [String]

    func run() throws {
        try withExitCodes {
            guard !files.isEmpty else { throw CLIError(.usage, "name at least one key file") }
            for file in files {
                let key = SigningKey()
                try key.write(to: URL(filePath: file))
                print("\(file): keyid \(key.keyID)")
            }
        }
    }
}

struct RegistryInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a repository: root version 1 naming the keys of each role.",
        discussion: "Every root key given signs root version 1. Kiosks are provisioned with root/1.json.")

    @Option(help: "Repository directory (created).")
    var repository: String

    @Option(name: .customLong("root-key"), help: "Key file of a root key (repeat).")
    var rootKeys: [String] = []

    @Option(help: "Root signatures needed for a new root.")
    var rootThreshold = 1

    @Option(name: .customLong("targets-key"), help: "Key file of a targets key (repeat).")
    var targetsKeys: [String] = []

    @Option(help: "Targets signatures needed.")
    var targetsThreshold = 1

    @Option(name: .customLong("timestamp-key"), help: "Key file of a timestamp key (repeat).")
    var timestampKeys: [String] = []

    @Option(help: "Days until root version 1 expires.")
    var rootExpiresDays: Double = 365

    func run() throws {
        try withExitCodes {
            let root = try RootKeySet(
                rootKeys: rootKeys, rootThreshold: rootThreshold, targetsKeys: targetsKeys,
                targetsThreshold: targetsThreshold, timestampKeys: timestampKeys)
            let directory = URL(filePath: repository, directoryHint: .isDirectory)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let metadata = root.metadata(version: 1, expires: Date().addingTimeInterval(rootExpiresDays * 86_400))
            try RepositoryWriter(directory: directory).initialize(root: metadata, rootKeys: root.rootSigners)
            print(
                "created \(repository) with root version 1 (root threshold \(rootThreshold) of \(root.rootSigners.count)); "
                    + "provision kiosks with \(directory.appending(path: RepositoryLayout.root(version: 1)).path)")
        }
    }
}

/// Keys named on the command line for a root: private key files, of which only the public
/// halves go into the metadata.
struct RootKeySet {
    var rootSigners: [SigningKey]
    var rootThreshold: Int
    var targets: [SigningKey]
    var targetsThreshold: Int
    var timestamp: [SigningKey]

    init(rootKeys: [String], rootThreshold: Int, targetsKeys: [String], targetsThreshold: Int, timestampKeys: [String]) throws {
        guard !rootKeys.isEmpty, !targetsKeys.isEmpty, !timestampKeys.isEmpty else {
            throw CLIError(.usage, "a root needs --root-key, --targets-key and --timestamp-key")
        }
        rootSigners = try rootKeys.map { try SigningKey.read(from: URL(filePath: $0)) }
        targets = try targetsKeys.map { try SigningKey.read(from: URL(filePath: $0)) }
        timestamp = try timestampKeys.map { try SigningKey.read(from: URL(filePath: $0)) }
        self.rootThreshold = rootThreshold
        self.targetsThreshold = targetsThreshold
    }

    func metadata(version: Int, expires: Date) -> RootMetadata {
        var keys: [String: PublicKeyEntry] = [:]
        for key in rootSigners + targets + timestamp { keys[key.keyID] = key.publicEntry }
        return RootMetadata(
            version: version, expires: RepositoryWriter.wholeSeconds(expires), keys: keys,
            roles: [
                .root: RoleKeys(keyIDs: rootSigners.map(\.keyID), threshold: rootThreshold),
                .targets: RoleKeys(keyIDs: targets.map(\.keyID), threshold: targetsThreshold),
                .timestamp: RoleKeys(keyIDs: timestamp.map(\.keyID), threshold: 1),
            ])
    }
}

struct RegistryPublishCommand: ParsableCommand {
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
            the server's cursor, so kiosks that apply it then follow the server's change log.
            """)

    @OptionGroup var options: PublishingOptions

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

    func run() throws {
        try withExitCodes {
            let sources = [template, profiles, attendees, attendeesFromState].compactMap { $0 }
            guard sources.count == 1 else {
                throw CLIError(.usage, "give exactly one of --template, --profiles-dir, --attendees or --attendees-from-state")
            }
            let publisher = try options.publisher()
            let publication = try options.locked { () throws -> RegistryPublisher.Publication in
                try publish(with: publisher)
            }
            options.report(publication, action: share < 1 ? "staged" : "published")
        }
    }

    func publish(with publisher: RegistryPublisher) throws -> RegistryPublisher.Publication {
        if let template {
            let directory = URL(filePath: template, directoryHint: .isDirectory)
            _ = try BundleManifest.verify(directory: directory)
            let bundle = try TemplateBundle.load(directory: directory)
            try Self.refuseTemplateErrors(bundle)
            let targetName = "templates/\(name ?? directory.lastPathComponent)"
            let templateScope = try TemplateScope(parsing: scope)
            // Kiosks choose one template per scope (event, then track, then global): a second
            // template in the same scope is usually a mistake, so it is named, not refused.
            let others = (try publisher.writer.currentTargets()?.targets ?? [:]).filter { other in
                other.key != targetName && other.value.kind == .template && other.value.scope == templateScope
            }.keys.sorted()
            if !others.isEmpty {
                Terminal.warning(
                    "\(targetName) is not the only template for scope \(scope): \(others.joined(separator: ", ")) "
                        + "also applies there, and a kiosk takes one per tier (docs/registry-protocol.md, scope)")
            }
            return try publisher.publishDirectory(
                directory, as: targetName, kind: .template, scope: templateScope, label: label ?? bundle.template.version, share: share)
        } else if let profiles {
            let directory = URL(filePath: profiles, directoryHint: .isDirectory)
            return try publisher.publishDirectory(
                directory, as: "profiles/\(name ?? directory.lastPathComponent)", kind: .profiles, scope: nil,
                label: label ?? String(Timestamps.iso8601(Date()).prefix(10)), share: share)  // undated profiles: the UTC date
        }
        guard let event else { throw CLIError(.usage, "an attendee snapshot needs --event") }
        let snapshot = try AttendeeSnapshotStaging(
            event: event, file: attendees.map { URL(filePath: $0) },
            stateDirectory: attendeesFromState.map { URL(filePath: $0, directoryHint: .isDirectory) },
            cursor: cursor)
        defer { snapshot.remove() }
        return try publisher.publishDirectory(
            snapshot.directory, as: "attendees/\(name ?? event)", kind: .attendeeSnapshot, scope: .event(event),
            label: label ?? "cursor \(snapshot.cursor)", cursor: snapshot.cursor, share: share)
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

struct RegistryPromoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "promote", abstract: "Give a staged release to the whole fleet.")

    @OptionGroup var change: TargetChange

    func run() throws {
        try withExitCodes { change.options.report(try change.apply { try $0.promote($1) }, action: "promoted") }
    }
}

struct RegistryRollbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Withdraw a staged release, or make the previous release current again.",
        discussion: "Published as a new, higher version: kiosks never have to accept a lower one.")

    @OptionGroup var change: TargetChange

    func run() throws {
        try withExitCodes { change.options.report(try change.apply { try $0.rollback($1) }, action: "rolled back") }
    }
}

struct RegistryRevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Remove a target from the repository (its template tier falls through to the next).",
        discussion: "To revoke a key, publish a new root without it: 'lanyard registry rotate-root'.")

    @OptionGroup var change: TargetChange

    func run() throws {
        try withExitCodes {
            let publication = try change.apply { try $0.revoke($1) }
            print("revoked \(change.target.name): targets version \(publication.targetsVersion)")
        }
    }
}

struct RegistryRotateRootCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-root",
        abstract: "Publish the next root version with new keys (how a lost or retired key is revoked).",
        discussion: """
            The new root must be signed by a threshold of the current root keys (--sign-key) and a \
            threshold of the new ones (the new --root-key files sign too). Kiosks follow the chain \
            and refuse a root that is not signed so.
            """)

    @Option(help: "Repository directory.") var repository: String
    @Option(name: .customLong("sign-key"), help: "Key file of a current root key (repeat to meet its threshold).")
    var signKeys: [String] = []
    @Option(name: .customLong("root-key"), help: "Key file of a new root key (repeat).") var rootKeys: [String] = []
    @Option(help: "Root signatures needed for the next root.") var rootThreshold = 1
    @Option(name: .customLong("targets-key"), help: "Key file of a targets key (repeat).") var targetsKeys: [String] = []
    @Option(help: "Targets signatures needed.") var targetsThreshold = 1
    @Option(name: .customLong("timestamp-key"), help: "Key file of a timestamp key (repeat).") var timestampKeys: [String] = []
    @Option(help: "Days until the new root expires.") var rootExpiresDays: Double = 365

    func run() throws {
        try withExitCodes {
            let keys = try RootKeySet(
                rootKeys: rootKeys, rootThreshold: rootThreshold, targetsKeys: targetsKeys,
                targetsThreshold: targetsThreshold, timestampKeys: timestampKeys)
            let writer = RepositoryWriter(directory: URL(filePath: repository, directoryHint: .isDirectory))
            let version = try writer.latestRootVersion() + 1
            let signers = try signKeys.map { try SigningKey.read(from: URL(filePath: $0)) } + keys.rootSigners
            try RepositoryLock.waiting(repository: repository) {
                try writer.rotateRoot(
                    keys.metadata(version: version, expires: Date().addingTimeInterval(rootExpiresDays * 86_400)),
                    signers: signers)
            }
            print("root version \(version) published; publish again with the new targets and timestamp keys if they changed")
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
            let keys = try timestampKeys.map { try SigningKey.read(from: URL(filePath: $0)) }
            let timestamp = try RepositoryLock.waiting(repository: repository) {
                try RepositoryWriter(directory: URL(filePath: repository, directoryHint: .isDirectory)).refreshTimestamp(
                    keys: keys, lifetime: lifetime)
            }
            print("timestamp version \(timestamp.version), targets version \(timestamp.targets.version), expires \(timestamp.expires)")
        }
    }
}

struct RegistryStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show what a repository holds.")

    @Option(help: "Repository directory.") var repository: String
    @Flag(help: "Print as JSON.") var json = false

    func run() throws {
        try withExitCodes {
            let writer = RepositoryWriter(directory: URL(filePath: repository, directoryHint: .isDirectory))
            let (root, _) = try writer.currentRoot()
            let timestamp = try writer.currentTimestamp()
            let targets = try writer.currentTargets()
            if json {
                struct Status: Encodable {
                    var root: RootMetadata
                    var timestamp: TimestampMetadata?
                    var targets: TargetsMetadata?
                }
                FileHandle.standardOutput.write(
                    try CanonicalJSON.encode(Status(root: root, timestamp: timestamp, targets: targets)) + Data("\n".utf8))
                return
            }
            print("root version \(root.version), expires \(root.expires)")
            for role in Role.allCases {
                let keys = root.keys(for: role)
                print(
                    "  \(role.rawValue): \(keys?.threshold ?? 0) of \(keys?.keyIDs.map { String($0.prefix(12)) }.joined(separator: ", ") ?? "-")"
                )
            }
            guard let timestamp, let targets else {
                print("nothing published yet")
                return
            }
            print("timestamp version \(timestamp.version), expires \(timestamp.expires)")
            print("targets version \(targets.version), expires \(targets.expires)")
            for (name, target) in targets.targets.sorted(by: { $0.key < $1.key }) {
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

/// The target a command acts on: `--name NAME`, as `publish` takes it, or the name alone after
/// the command, as before.
/// One change to one target (promote, rollback, revoke): made under the publish lock, signed.
struct TargetChange: ParsableArguments {
    @OptionGroup var options: PublishingOptions
    @OptionGroup var target: TargetNameArgument

    func apply(_ change: (RegistryPublisher, String) throws -> RegistryPublisher.Publication) throws -> RegistryPublisher.Publication {
        try options.locked { try change(try options.publisher(), target.name) }
    }
}

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
