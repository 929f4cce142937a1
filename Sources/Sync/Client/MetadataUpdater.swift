public import Foundation

/// What one refresh found.
public struct RefreshReport: Sendable, Equatable {
    /// Root versions followed, in order (empty when the root did not change).
    public var rootsFollowed: [Int]
    /// True when new targets metadata was taken.
    public var targetsChanged: Bool
    /// False when the timestamp was answered "not modified".
    public var timestampChanged: Bool
    public var targetsVersion: Int?
    public var freshness: Freshness
}

/// One refresh of the trusted metadata from a source, in the order that makes each step's
/// checks meaningful: follow the root chain to its end, check the root's expiry, then the
/// timestamp (conditionally, by entity tag), then the targets it names. On any refusal the
/// trusted state is left exactly as before the refresh.
public struct MetadataUpdater: Sendable {
    public let source: any RepositorySource

    public init(source: any RepositorySource) {
        self.source = source
    }

    @discardableResult
    public func refresh(_ trusted: inout TrustedMetadata, timestampETag: inout String?, now: Date) async throws(SyncError) -> RefreshReport
    {
        var working = trusted
        var followed: [Int] = []
        while true {
            let next = working.root.version + 1
            guard let data = try await source.fetchWhole(RepositoryLayout.root(version: next), limit: RepositoryLayout.maximumRootLength)
            else {
                break
            }
            try working.updateRoot(data)
            followed.append(next)
        }
        try working.checkRootExpiry(now: now)

        var timestampData = Data()
        var etag = working.timestampData == nil ? nil : timestampETag
        let outcome = try await source.fetch(
            RepositoryLayout.timestamp, offset: 0, limit: RepositoryLayout.maximumTimestampLength,
            ifNoneMatch: etag
        ) { (chunk: Data) throws(SyncError) in
            timestampData.append(chunk)
            guard timestampData.count <= RepositoryLayout.maximumTimestampLength else {
                throw SyncError(.lengthExceeded, "the timestamp is larger than any valid one", subject: "timestamp")
            }
        }
        var timestampChanged = false
        var targetsChanged = false
        switch outcome {
        case .notFound:
            throw SyncError(.transport, "the repository has no timestamp", subject: RepositoryLayout.timestamp)
        case .notModified:
            try working.confirmUnchangedTimestamp(now: now)
        case .complete(let newETag):
            etag = newETag
            timestampChanged = true
            if try working.updateTimestamp(timestampData, now: now), let pin = working.timestamp?.targets {
                guard let data = try await source.fetchWhole(RepositoryLayout.targets(version: pin.version), limit: pin.length) else {
                    throw SyncError(
                        .transport, "the timestamp names targets version \(pin.version), which the repository lacks",
                        subject: RepositoryLayout.targets(version: pin.version))
                }
                try working.updateTargets(data, now: now)
                targetsChanged = true
            }
        }
        trusted = working
        timestampETag = etag
        return RefreshReport(
            rootsFollowed: followed, targetsChanged: targetsChanged, timestampChanged: timestampChanged,
            targetsVersion: working.targets?.version, freshness: working.overallFreshness(now: now))
    }
}
