public import Foundation
internal import GRDB
public import LanyardSupport

/// The step of the badge pipeline where an input was rejected.
public enum PipelineStage: String, Sendable, Codable, CaseIterable {
    case intake, mapping, resolve, render, encode, spool, print, confirm, sync
}

/// An input the agent could not process, kept byte for byte so an operator can see exactly what
/// arrived and replay it once the cause is fixed.
public struct DeadLetter: Sendable, Equatable, Identifiable, Codable {
    public var id: Int64
    /// The raw input as received.
    public var payload: Data
    public var stage: PipelineStage
    /// The rejecting error's code ("intake.field_invalid").
    public var code: String
    public var reason: String
    /// The offending field ("attendees[3].email"), when one field is to blame.
    public var fieldPath: String?
    public var correlationID: String
    /// The print job this input had become, when it got that far.
    public var jobID: Int64?
    public var createdAt: Date
    public var replayedAt: Date?

    public init(
        id: Int64, payload: Data, stage: PipelineStage, code: String, reason: String, fieldPath: String?,
        correlationID: String, jobID: Int64?, createdAt: Date, replayedAt: Date?
    ) {
        self.id = id
        self.payload = payload
        self.stage = stage
        self.code = code
        self.reason = reason
        self.fieldPath = fieldPath
        self.correlationID = correlationID
        self.jobID = jobID
        self.createdAt = createdAt
        self.replayedAt = replayedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, payload, stage, code, reason, fieldPath = "field_path", correlationID = "correlation_id"
        case jobID = "job_id", createdAt = "created_at", replayedAt = "replayed_at"
    }

    /// Instants are always ISO-8601 text (UTC, milliseconds), whatever the encoder's date
    /// strategy: dead letters are read by people and other tools, not only by this code.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(payload, forKey: .payload)
        try container.encode(stage, forKey: .stage)
        try container.encode(code, forKey: .code)
        try container.encode(reason, forKey: .reason)
        try container.encodeIfPresent(fieldPath, forKey: .fieldPath)
        try container.encode(correlationID, forKey: .correlationID)
        try container.encodeIfPresent(jobID, forKey: .jobID)
        try container.encode(Self.timestamp.format(createdAt), forKey: .createdAt)
        try container.encodeIfPresent(replayedAt.map(Self.timestamp.format), forKey: .replayedAt)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int64.self, forKey: .id)
        payload = try container.decode(Data.self, forKey: .payload)
        stage = try container.decode(PipelineStage.self, forKey: .stage)
        code = try container.decode(String.self, forKey: .code)
        reason = try container.decode(String.self, forKey: .reason)
        fieldPath = try container.decodeIfPresent(String.self, forKey: .fieldPath)
        correlationID = try container.decode(String.self, forKey: .correlationID)
        jobID = try container.decodeIfPresent(Int64.self, forKey: .jobID)
        createdAt = try Self.parseTimestamp(container.decode(String.self, forKey: .createdAt), key: .createdAt, in: container)
        replayedAt = try container.decodeIfPresent(String.self, forKey: .replayedAt).map { text in
            try Self.parseTimestamp(text, key: .replayedAt, in: container)
        }
    }

    private static let timestamp = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    private static func parseTimestamp(
        _ text: String, key: CodingKeys,
        in container: KeyedDecodingContainer<CodingKeys>
    ) throws -> Date {
        if let date = try? timestamp.parse(text) { return date }
        if let date = try? Date.ISO8601FormatStyle().parse(text) { return date }
        throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "'\(text)' is not an ISO-8601 instant")
    }
}

struct DeadLetterRow: Codable, FetchableRecord, MutablePersistableRecord, StoredDateRecord {
    static let databaseTableName = "dead_letter"

    var id: Int64?
    var payload: Data
    var stage: PipelineStage
    var code: String
    var reason: String
    var fieldPath: String?
    var correlationID: String
    var jobID: Int64?
    var createdAt: Date
    var replayedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, payload, stage, code, reason, fieldPath = "field_path", correlationID = "correlation_id"
        case jobID = "job_id", createdAt = "created_at", replayedAt = "replayed_at"
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    var deadLetter: DeadLetter {
        DeadLetter(
            id: id ?? 0, payload: payload, stage: stage, code: code, reason: reason, fieldPath: fieldPath,
            correlationID: correlationID, jobID: jobID, createdAt: createdAt, replayedAt: replayedAt)
    }
}

extension LanyardStore {
    /// Keeps a rejected input; durable when this returns, so intake may then answer the sender.
    @discardableResult
    public func deadLetter(
        payload: Data, stage: PipelineStage, code: String, reason: String, fieldPath: String? = nil,
        correlationID: String, now: Date = Date()
    ) throws(StoreError) -> DeadLetter {
        try write { db in
            try Self.deadLetter(
                db, payload: payload, stage: stage, code: code, reason: reason, fieldPath: fieldPath,
                correlationID: correlationID, jobID: nil, now: now)
        }
    }

    public func deadLetter(id: Int64) throws(StoreError) -> DeadLetter? {
        try read { db in try DeadLetterRow.fetchOne(db, key: id)?.deadLetter }
    }

    /// Newest first. Replayed letters are history and left out unless asked for.
    public func deadLetters(limit: Int, includeReplayed: Bool = false) throws(StoreError) -> [DeadLetter] {
        try read { db in
            var request = DeadLetterRow.order(Column(DeadLetterRow.CodingKeys.id).desc)
            if !includeReplayed { request = request.filter(Column(DeadLetterRow.CodingKeys.replayedAt) == nil) }
            return try request.limit(max(0, limit)).fetchAll(db).map(\.deadLetter)
        }
    }

    /// Marks a dead letter replayed and hands back its payload to feed to intake again. A second
    /// replay is refused (`.alreadyReplayed`): whatever the first replay produced stands, and
    /// feeding the same input twice is exactly the duplicate the queue exists to prevent.
    public func markReplayed(id: Int64, now: Date = Date()) throws(StoreError) -> Data {
        try write { db in
            guard var row = try DeadLetterRow.fetchOne(db, key: id) else {
                throw StoreError(.notFound, "there is no dead letter \(id)")
            }
            if let replayedAt = row.replayedAt {
                throw StoreError(.alreadyReplayed, "dead letter \(id) was already replayed at \(replayedAt.formatted(.iso8601))")
            }
            row.replayedAt = now
            try row.update(db)
            return row.payload
        }
    }

    static func deadLetter(
        _ db: Database, payload: Data, stage: PipelineStage, code: String, reason: String,
        fieldPath: String?, correlationID: String, jobID: Int64?, now: Date
    ) throws -> DeadLetter {
        guard !code.isEmpty, !reason.isEmpty else {
            throw StoreError(.invalidValue, "a dead letter needs the error code and the reason")
        }
        var row = DeadLetterRow(
            payload: payload, stage: stage, code: code, reason: reason, fieldPath: fieldPath,
            correlationID: correlationID, jobID: jobID, createdAt: now)
        try row.insert(db)
        return try DeadLetterRow.fetchOne(db, key: row.id)?.deadLetter ?? row.deadLetter
    }
}
