import BadgePipeline
import ArgumentParser
import Foundation
import LanyardSupport
import Printers

struct PrintersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "printers",
        abstract: "List the USB printers attached and the network printers configured.",
        discussion: """
            USB printers are found by their printer-class interface and matched to a profile by their \
            ids and IEEE 1284 device id. Network printers come from $LANYARD_PRINTERS, else \
            /etc/lanyard/printers.yaml (see docs/printers.md); each is asked for its status.
            """)

    @Option(help: "Directory of printer profiles (default: the bundled firmware-profiles).")
    var profilesDir: String?

    @Option(help: "List of network printers (default: $LANYARD_PRINTERS, else /etc/lanyard/printers.yaml).")
    var config: String?

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        try await withExitCodes {
            let library = try ProfileLibrary.load(directory: profilesDir ?? Installation.profiles.path)
            var rows: [[String: Any]] = []
            for info in try await USBPrinterDiscovery.printers() {
                let deviceID = info.deviceID.flatMap { try? DeviceID.parse($0) }
                let match = library.match(vendorId: info.vendorId, productId: info.productId, deviceID: deviceID)
                rows.append([
                    "address": info.printerAddress.description, "transport": "usb",
                    "vendor_id": USBIdentity.hexText(info.vendorId), "product_id": USBIdentity.hexText(info.productId),
                    "serial": nullable(info.serialNumber), "model": nullable((deviceID?.model ?? info.product)),
                    "manufacturer": nullable((deviceID?.manufacturer ?? info.manufacturer)),
                    "languages": (deviceID?.languages ?? []).map(\.rawValue), "profile": nullable(match?.profile.id),
                    "notes": [info.problem?.description, match?.languageMismatch?.description].compactMap { $0 },
                ])
            }
            let configPath = config ?? ProcessInfo.processInfo.environment["LANYARD_PRINTERS"] ?? "/etc/lanyard/printers.yaml"
            for configured in try ConfiguredPrinter.load(file: configPath) {
                var row: [String: Any] = ["address": configured.address.description, "name": configured.name,
                                          "transport": "\(configured.address)".components(separatedBy: ":").first ?? "", "profile": configured.profile]
                do {
                    let profile = try Installation.profile(configured.profile, directory: profilesDir)
                    if case .tcp = configured.address {
                        let connection = try await TCPPrinterConnection.connect(to: configured.address, timeout: .seconds(2))
                        let client = PrinterClient(connection: connection, profile: profile, queryTimeout: .milliseconds(500))
                        row["status"] = try await client.status().status.sortedConditions.map(\.rawValue)
                        row["model"] = nullable(try await client.identification()?.model)
                        await client.close()
                    }
                } catch {
                    row["notes"] = [CLIError(from: error).message]
                }
                rows.append(row)
            }
            if json {
                let data = try JSONSerialization.data(withJSONObject: rows, options: [.prettyPrinted, .sortedKeys])
                print(String(decoding: data, as: UTF8.self))
                return
            }
            if rows.isEmpty { print("no USB printer attached and no network printer configured (\(configPath))") }
            for row in rows {
                var line = "\(row["address"] ?? "")"
                if let name = row["name"] as? String { line += "  \(name)" }
                if let model = row["model"] as? String { line += "  \(model)" }
                if let vendor = row["vendor_id"] as? String, let product = row["product_id"] as? String { line += "  \(vendor):\(product)" }
                if let languages = row["languages"] as? [String], !languages.isEmpty { line += "  \(languages.joined(separator: "/").uppercased())" }
                line += "  profile: \((row["profile"] as? String) ?? "none matches")"
                if let status = row["status"] as? [String] { line += "  [\(status.joined(separator: ", "))]" }
                print(line)
                for note in (row["notes"] as? [String]) ?? [] { print("  note: \(note)") }
            }
        }
    }
}
