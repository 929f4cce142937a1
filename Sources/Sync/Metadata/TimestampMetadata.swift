public import Foundation

/// The exact targets metadata that is current: its version, hash and length. Short-lived and
/// re-signed by the registry's online key, so a kiosk held on stale metadata notices when it
/// expires; pinning the hash means targets from another version cannot be mixed in.
public struct TimestampMetadata: Sendable, Equatable, Codable {
    public var type: String
    public var version: Int
    public var expires: Date
    public var targets: PinnedMetadata

    public init(version: Int, expires: Date, targets: PinnedMetadata) {
        self.type = Role.timestamp.rawValue
        self.version = version
        self.expires = expires
        self.targets = targets
    }

    public func validate() throws(SyncError) {
        guard type == Role.timestamp.rawValue else {
            throw SyncError(.metadataInvalid, "type is '\(type)', expected 'timestamp'", subject: "timestamp")
        }
        guard version >= 1, targets.version >= 1, targets.length > 0, Hex.decode(targets.sha256)?.count == 32 else {
            throw SyncError(.metadataInvalid, "versions, hash and length must be set", subject: "timestamp")
        }
    }
}

/// A metadata file named by version, hash and length.
public struct PinnedMetadata: Sendable, Equatable, Codable {
    public var version: Int
    public var sha256: String
    public var length: Int

    public init(version: Int, sha256: String, length: Int) {
        self.version = version
        self.sha256 = sha256
        self.length = length
    }
}
