/// The profile chosen for a connected printer, and whether the printer's announced languages
/// agree with it.
public struct ProfileMatch: Sendable, Equatable {
    public let profile: PrinterProfile
    /// Languages from the device ID's command set; empty when the printer did not say.
    public let printerLanguages: [PrinterLanguage]
    /// The language to send jobs in: the profile's raster language when the printer speaks it
    /// (or did not say), else the first profile language the printer announces, else nil.
    public let language: PrinterLanguage?
    /// Set when the printer does not announce the profile's raster language.
    public let languageMismatch: LanguageMismatch?
    /// The other candidates, best first.
    public let alternatives: [PrinterProfile]
}

/// "The printer speaks EPL, the profile sends ZPL": a printer switched to another language
/// (Link-OS `device.languages`) or a profile picked for a similar model. A warning, because
/// jobs may still print in a language both share.
public struct LanguageMismatch: Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case languageMismatch = "printers.language_mismatch"
    }

    public let code: Code
    public let profileId: String
    public let printerLanguages: [PrinterLanguage]
    public let profileLanguages: [PrinterLanguage]
    public let message: String

    init(profile: PrinterProfile, printerLanguages: [PrinterLanguage], usable: PrinterLanguage?) {
        code = .languageMismatch
        profileId = profile.id
        self.printerLanguages = printerLanguages
        profileLanguages = profile.languages
        let spoken = printerLanguages.map { $0.rawValue.uppercased() }.joined(separator: ", ")
        let sent = (profile.rasterLanguage ?? profile.languages.first)?.rawValue.uppercased() ?? "nothing"
        var text = "printer speaks \(spoken), profile \(profile.id) says \(sent)"
        if let usable {
            text += "; sending \(usable.rawValue.uppercased()), which both share"
        } else {
            text += "; they share no language"
        }
        message = text
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

extension ProfileLibrary {
    /// Picks the profile for a USB printer from `candidates(vendorId:productId:deviceIdModel:)`.
    /// Among candidates matched equally well (same model / product id evidence), one whose
    /// raster language the printer announces wins; a mismatch that remains is reported, not
    /// hidden. Nil when no profile matches.
    public func match(vendorId: UInt16, productId: UInt16?, deviceID: DeviceID?) -> ProfileMatch? {
        let candidates = self.candidates(vendorId: vendorId, productId: productId, deviceIdModel: deviceID?.model)
        guard let best = candidates.first else { return nil }
        let printerLanguages = deviceID?.languages ?? []
        func evidence(_ profile: PrinterProfile) -> Int {
            guard let usb = profile.usb else { return 0 }
            let model = deviceID?.model.map { usb.matchesModel($0) } ?? false
            let product = productId.map { usb.productIds.contains($0) } ?? false
            return (model ? 2 : 0) + (product ? 1 : 0)
        }
        func agrees(_ profile: PrinterProfile) -> Bool {
            guard !printerLanguages.isEmpty, let language = profile.rasterLanguage else { return true }
            return printerLanguages.contains(language)
        }
        let topEvidence = evidence(best)
        let chosen = candidates.first { evidence($0) == topEvidence && agrees($0) } ?? best

        let language: PrinterLanguage?
        var mismatch: LanguageMismatch?
        if agrees(chosen) {
            language = chosen.rasterLanguage
        } else {
            language = chosen.languages.first { printerLanguages.contains($0) }
            mismatch = LanguageMismatch(profile: chosen, printerLanguages: printerLanguages, usable: language)
        }
        return ProfileMatch(
            profile: chosen, printerLanguages: printerLanguages, language: language, languageMismatch: mismatch,
            alternatives: candidates.filter { $0.id != chosen.id })
    }
}
