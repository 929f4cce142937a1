public import Foundation
public import Sync

extension UploadBatch {
    /// Decodes and checks a batch body; the error names the item and field at fault.
    public static func decode(
        _ data: Data, what: String, validate: (Item, String) throws(RegistryError) -> Void
    ) throws(RegistryError) -> [Item] {
        let batch = try RegistryJSON.decode(UploadBatch<Item>.self, from: data, what: what)
        guard batch.items.count <= maximumItems else {
            throw RegistryError(
                .payloadTooLarge, "a batch holds at most \(maximumItems) items, this one \(batch.items.count)", detail: "$.items")
        }
        for (index, item) in batch.items.enumerated() {
            try validate(item, "$.items[\(index)]")
        }
        return batch.items
    }
}

/// Field checks shared by the upload types: identifiers are non-empty, bounded and free of
/// control characters, since they end up in logs and on the fleet page.
enum UploadField {
    static func identifier(_ value: String, _ path: String, maximumLength: Int = 200) throws(RegistryError) {
        guard !value.isEmpty else { throw RegistryError(.requestInvalid, "must not be empty", detail: path) }
        guard value.utf8.count <= maximumLength else {
            throw RegistryError(.requestInvalid, "longer than \(maximumLength) bytes", detail: path)
        }
        guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw RegistryError(.requestInvalid, "must not contain control characters", detail: path)
        }
    }

    static func optionalIdentifier(_ value: String?, _ path: String) throws(RegistryError) {
        if let value { try identifier(value, path) }
    }

    /// An agent id as it appears in the URL: letters, digits and `.`, `_`, `-`, `:`.
    static func agentID(_ value: String) throws(RegistryError) {
        let allowed = value.utf8.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A)
                || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D || $0 == 0x3A
        }
        guard !value.isEmpty, value.utf8.count <= 128, allowed else {
            throw RegistryError(.requestInvalid, "an agent id is 1 to 128 letters, digits, '.', '_', '-' or ':'", detail: "agent_id")
        }
    }
}
