public import Foundation

/// An event's attendee list made ready to publish as a snapshot target: a directory holding
/// `attendees.jsonl`, from a file, or from the registry server's own database at its change
/// cursor (so kiosks that apply it then follow the server's change log from there).
public struct AttendeeSnapshotStaging {
    public let directory: URL
    /// The change cursor the snapshot is at.
    public let cursor: Int64

    public init(event: String, file: URL?, stateDirectory: URL?, cursor: Int64) throws(RegistryError) {
        directory = FileManager.default.temporaryDirectory.appending(path: "lanyard-snapshot-\(UUID().uuidString)")
        let snapshotFile = directory.appending(path: "attendees.jsonl")
        var at = cursor
        if let file, !FileManager.default.fileExists(atPath: file.path) {
            throw RegistryError(.notFound, "no attendee file", detail: file.path)
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            if let file {
                try FileManager.default.copyItem(at: file, to: snapshotFile)
            } else if let stateDirectory {
                let snapshot = try RegistryDatabase(stateDirectory: stateDirectory).attendeeSnapshot(event: event)
                at = snapshot.cursor
                try Data(snapshot.registrations.map { $0 + "\n" }.joined().utf8).write(to: snapshotFile)
            }
        } catch let error as RegistryError {
            throw error
        } catch {
            throw RegistryError(
                .storage, "cannot stage the attendee snapshot: \(error.localizedDescription)",
                detail: file?.path ?? stateDirectory?.path)
        }
        self.cursor = at
    }

    public func remove() { try? FileManager.default.removeItem(at: directory) }
}
