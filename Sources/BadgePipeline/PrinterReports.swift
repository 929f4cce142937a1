public import Foundation
import LanyardSupport
public import Printers

/// What `lanyard printer status` reports of one printer; `--json` writes it as it is, snake_case.
public struct PrinterStatusReport: Encodable, Sendable {
    public var printer: String
    public var key: String
    public var profile: String
    public var language: String
    public var conditions: [String]
    public var errors: [String]
    public var warnings: [String]
    public var formatsInBuffer: Int?
    public var labelsRemaining: Int?
    public var model: String?
    public var firmware: String?
    public var answered: [String]
    public var problems: [String]
    public var at: String

    enum CodingKeys: String, CodingKey {
        case printer, key, profile, language, conditions, errors, warnings, formatsInBuffer = "formats_in_buffer"
        case labelsRemaining = "labels_remaining", model, firmware, answered, problems, at
    }

    public init(
        _ reading: StatusReading, name: String, key: String, profile: String, language: String,
        identification: PrinterIdentification?, at: Date = Date()
    ) {
        printer = name
        self.key = key
        self.profile = profile
        self.language = language
        conditions = reading.status.sortedConditions.map(\.rawValue)
        errors = reading.status.errors
        warnings = reading.status.warnings
        formatsInBuffer = reading.status.formatsInBuffer
        labelsRemaining = reading.status.labelsRemaining
        model = identification?.model
        firmware = identification?.firmware
        answered = reading.answered.map(\.rawValue)
        problems = reading.problems.map(\.description)
        self.at = Timestamps.iso8601(at)
    }

    /// Absent values are written as null, so a script sees every key on every line.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(printer, forKey: .printer)
        try container.encode(key, forKey: .key)
        try container.encode(profile, forKey: .profile)
        try container.encode(language, forKey: .language)
        try container.encode(conditions, forKey: .conditions)
        try container.encode(errors, forKey: .errors)
        try container.encode(warnings, forKey: .warnings)
        try container.encode(formatsInBuffer, forKey: .formatsInBuffer)
        try container.encode(labelsRemaining, forKey: .labelsRemaining)
        try container.encode(model, forKey: .model)
        try container.encode(firmware, forKey: .firmware)
        try container.encode(answered, forKey: .answered)
        try container.encode(problems, forKey: .problems)
        try container.encode(at, forKey: .at)
    }
}

/// The printers a box can use: the USB printers attached, matched to a profile, and the network
/// printers configured, each asked for its state (`lanyard printers`).
public struct PrinterInventoryEntry: Encodable, Sendable {
    public var address: String
    public var transport: String
    public var name: String?
    public var vendorID: String?
    public var productID: String?
    public var serial: String?
    public var model: String?
    public var manufacturer: String?
    public var languages: [String]?
    public var profile: String?
    public var status: [String]?
    public var notes: [String]

    enum CodingKeys: String, CodingKey {
        case address, transport, name, vendorID = "vendor_id", productID = "product_id", serial, model, manufacturer, languages
        case profile, status, notes
    }

    /// One line of the plain listing.
    public var line: String {
        var line = address
        if let name { line += "  \(name)" }
        if let model { line += "  \(model)" }
        if let vendorID, let productID { line += "  \(vendorID):\(productID)" }
        if let languages, !languages.isEmpty { line += "  \(languages.joined(separator: "/").uppercased())" }
        line += "  profile: \(profile ?? "none matches")"
        if let status { line += "  [\(status.joined(separator: ", "))]" }
        return line
    }

    public static func list(
        profiles library: ProfileLibrary, configured: [ConfiguredPrinter],
        profile: (String) throws -> PrinterProfile
    ) async throws -> [PrinterInventoryEntry] {
        var entries: [PrinterInventoryEntry] = []
        for info in try await USBPrinterDiscovery.printers() {
            let deviceID = info.deviceID.flatMap { try? DeviceID.parse($0) }
            let match = library.match(vendorId: info.vendorId, productId: info.productId, deviceID: deviceID)
            entries.append(
                PrinterInventoryEntry(
                    address: info.printerAddress.description, transport: "usb", vendorID: USBIdentity.hexText(info.vendorId),
                    productID: USBIdentity.hexText(info.productId), serial: info.serialNumber, model: deviceID?.model ?? info.product,
                    manufacturer: deviceID?.manufacturer ?? info.manufacturer, languages: (deviceID?.languages ?? []).map(\.rawValue),
                    profile: match?.profile.id, notes: [info.problem?.description, match?.languageMismatch?.description].compactMap { $0 }))
        }
        for printer in configured {
            var entry = PrinterInventoryEntry(
                address: printer.address.description,
                transport: "\(printer.address)".components(separatedBy: ":").first ?? "",
                name: printer.name, profile: printer.profile, notes: [])
            do {
                let resolved = try profile(printer.profile)
                if case .tcp = printer.address {
                    let connection = try await TCPPrinterConnection.connect(to: printer.address, timeout: .seconds(2))
                    let client = PrinterClient(connection: connection, profile: resolved, queryTimeout: .milliseconds(500))
                    entry.status = try await client.status().status.sortedConditions.map(\.rawValue)
                    entry.model = try await client.identification()?.model
                    await client.close()
                }
            } catch {
                entry.notes = [(error as? any LanyardError)?.message ?? "\(error)"]
            }
            entries.append(entry)
        }
        return entries
    }
}
