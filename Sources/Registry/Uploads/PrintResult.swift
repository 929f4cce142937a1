public import Foundation

/// How a print job ended on a kiosk, uploaded once it is final.
public struct PrintResultUpload: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Codable, CaseIterable {
        case printed
        case deadLetter = "dead_letter"
        case manualReview = "manual_review"
        case cancelled
    }

    public var nonce: String
    /// The agent's job id; agents send it as a number, other clients may send a string.
    public var jobID: String
    public var attendeeID: String?
    public var state: State
    public var template: String?
    public var templateVersion: String?
    public var tier: String?
    public var finishedAt: Date

    enum CodingKeys: String, CodingKey {
        case nonce, jobID = "job_id", attendeeID = "attendee_id", state, template, templateVersion = "template_version", tier
        case finishedAt = "finished_at"
    }

    public init(nonce: String, jobID: String, attendeeID: String?, state: State, template: String?, templateVersion: String?,
                tier: String?, finishedAt: Date) {
        self.nonce = nonce
        self.jobID = jobID
        self.attendeeID = attendeeID
        self.state = state
        self.template = template
        self.templateVersion = templateVersion
        self.tier = tier
        self.finishedAt = finishedAt
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        nonce = try container.decode(String.self, forKey: .nonce)
        if let number = try? container.decode(Int64.self, forKey: .jobID) {
            jobID = String(number)
        } else {
            jobID = try container.decode(String.self, forKey: .jobID)
        }
        attendeeID = try container.decodeIfPresent(String.self, forKey: .attendeeID)
        state = try container.decode(State.self, forKey: .state)
        template = try container.decodeIfPresent(String.self, forKey: .template)
        templateVersion = try container.decodeIfPresent(String.self, forKey: .templateVersion)
        tier = try container.decodeIfPresent(String.self, forKey: .tier)
        finishedAt = try container.decode(Date.self, forKey: .finishedAt)
    }

    func validate(_ path: String) throws(RegistryError) {
        try UploadField.identifier(nonce, path + ".nonce")
        try UploadField.identifier(jobID, path + ".job_id")
        try UploadField.optionalIdentifier(attendeeID, path + ".attendee_id")
        try UploadField.optionalIdentifier(template, path + ".template")
        try UploadField.optionalIdentifier(templateVersion, path + ".template_version")
        try UploadField.optionalIdentifier(tier, path + ".tier")
    }
}
