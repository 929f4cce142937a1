public import Foundation
public import Sync

extension AgentReport {
    /// Reads a report envelope sent to `/v1/agents/{agentID}/report` and checks what can be
    /// checked without the registry's records: the payload type, the fields, that it is about
    /// the agent in the URL, that it is signed by the key it names, and that its clock is not
    /// so far ahead that it would lock out the agent's later reports.
    public static func verify(
        _ envelope: SignedEnvelope, agentID: String, now: Date,
        maximumClockSkew: TimeInterval
    ) throws(RegistryError) -> AgentReport {
        guard envelope.payloadType == payloadType else {
            throw RegistryError(
                .requestInvalid, "the envelope's payload type is '\(envelope.payloadType)', expected \(payloadType)",
                detail: "$.payloadType")
        }
        let report = try RegistryJSON.decode(AgentReport.self, from: envelope.payload, what: "agent report")
        try report.validate()
        guard report.agentID == agentID else {
            throw RegistryError(.requestInvalid, "the report is about agent '\(report.agentID)', not '\(agentID)'", detail: "$.agent_id")
        }
        guard let key = report.publicKeyEntry else {
            throw RegistryError(.requestInvalid, "public_key is not a hex Ed25519 public key", detail: "$.public_key")
        }
        guard envelope.validSigners(among: [key.keyID: key]).contains(key.keyID) else {
            throw RegistryError(.signatureInvalid, "the report is not signed by the key it names", detail: agentID)
        }
        guard report.sentAt.timeIntervalSince(now) <= maximumClockSkew else {
            throw RegistryError(
                .requestInvalid,
                "sent_at is \(Int(report.sentAt.timeIntervalSince(now))) s ahead of the registry's clock; fix the kiosk's clock",
                detail: "$.sent_at")
        }
        return report
    }

    /// The report's key as the metadata lists keys; nil when it is not 32 bytes of hex. Built by
    /// decoding the entry's JSON form, since its initialiser takes a swift-crypto key and this
    /// module reaches Ed25519 only through Sync.
    public var publicKeyEntry: PublicKeyEntry? {
        guard Hex.decode(publicKey)?.count == 32 else { return nil }
        let json = Data("{\"type\":\"\(PublicKeyEntry.ed25519)\",\"public\":\"\(publicKey.lowercased())\"}".utf8)
        guard let entry = try? JSONDecoder().decode(PublicKeyEntry.self, from: json), entry.verifyingKey != nil else { return nil }
        return entry
    }

    func validate() throws(RegistryError) {
        try UploadField.agentID(agentID)
        guard queueDepth >= 0 else { throw RegistryError(.requestInvalid, "must not be negative", detail: "$.queue_depth") }
        if let targetsVersion, targetsVersion < 0 {
            throw RegistryError(.requestInvalid, "must not be negative", detail: "$.targets_version")
        }
        for (index, template) in templates.enumerated() {
            try UploadField.identifier(template.name, "$.templates[\(index)].name")
            try UploadField.identifier(template.digest, "$.templates[\(index)].digest")
        }
        for (index, printer) in printers.enumerated() {
            try UploadField.identifier(printer.id, "$.printers[\(index)].id")
        }
        guard templates.count <= 1_000, printers.count <= 100, rollbacks.count <= 100 else {
            throw RegistryError(.payloadTooLarge, "at most 1000 templates, 100 printers and 100 rollbacks in a report", detail: "$")
        }
    }
}
