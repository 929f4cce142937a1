/// The three roles of the repository. Root says which keys may sign for each role; targets
/// lists what the fleet runs; timestamp says which targets metadata is current and is re-signed
/// often, so a kiosk notices when it is being kept on old metadata.
public enum Role: String, Sendable, Codable, CaseIterable {
    case root, targets, timestamp
}

/// The keys that may sign for a role and how many of them must.
public struct RoleKeys: Sendable, Equatable, Codable {
    public var keyIDs: [String]
    public var threshold: Int

    enum CodingKeys: String, CodingKey {
        case keyIDs = "keyids", threshold
    }

    public init(keyIDs: [String], threshold: Int) {
        self.keyIDs = keyIDs
        self.threshold = threshold
    }
}
