import Sync

/// What the registry checks of each uploaded item beyond its shape.
extension PrintResultUpload {
    func validate(_ path: String) throws(RegistryError) {
        try UploadField.identifier(nonce, path + ".nonce")
        try UploadField.identifier(jobID, path + ".job_id")
        try UploadField.optionalIdentifier(attendeeID, path + ".attendee_id")
        try UploadField.optionalIdentifier(template, path + ".template")
        try UploadField.optionalIdentifier(templateVersion, path + ".template_version")
        try UploadField.optionalIdentifier(tier, path + ".tier")
    }
}

extension CheckInUpload {
    func validate(_ path: String) throws(RegistryError) {
        try UploadField.identifier(nonce, path + ".nonce")
        try UploadField.identifier(attendeeID, path + ".attendee_id")
        try UploadField.identifier(event, path + ".event")
        try UploadField.identifier(kioskID, path + ".kiosk_id")
    }
}
