import ArgumentParser
import Foundation
import Printers

/// The options every command that talks to a printer takes.
struct PrinterTargetOptions: ParsableArguments {
    @Option(help: """
        The printer: usb, usb:SERIAL, tcp://HOST[:PORT], file:PATH or sim. \
        Default: the one USB printer attached, else the built-in simulator.
        """)
    var printer: String?

    @Option(help: "Printer profile id or YAML file. Default: matched from a USB printer's ids; tcp and file printers need one.")
    var profile: String?

    @Option(help: "Directory of printer profiles (default: the bundled firmware-profiles).")
    var profilesDir: String?

    @Option(help: "Where the built-in simulator keeps the labels it prints, as PNG files.")
    var simOut: String = "out/sim"

    @Option(help: "Seconds a printer may take to accept a job or answer.")
    var timeout: Double = 10

    var timeoutDuration: Duration { .milliseconds(Int(max(0.1, timeout) * 1000)) }

    /// Opens the printer and settles its profile and language.
    func connect() async throws -> ConnectedPrinter {
        let library = try ProfileLibrary.load(directory: profilesDir ?? Resources.profiles.path)
        var notes: [String] = []
        let address: PrinterAddress
        if let printer {
            address = try PrinterAddress(parsing: printer)
        } else {
            let attached = ((try? await USBPrinterDiscovery.printers()) ?? []).filter { $0.problem == nil }
            switch attached.count {
            case 0:
                address = .simulator
                notes.append("no USB printer is attached: using the built-in simulator (labels go to \(simOut))")
            case 1:
                address = attached[0].printerAddress
            default:
                throw CLIError(.usage, "\(attached.count) USB printers are attached; choose one with --printer: "
                    + attached.map { $0.printerAddress.description }.joined(separator: ", "))
            }
        }
        switch address {
        case .usb:
            let connection = try await USBPrinterConnection.open(address, timeout: timeoutDuration)
            let info = connection.info
            let profile: PrinterProfile
            if let name = self.profile {
                profile = try Resources.profile(name, directory: profilesDir)
                let spoken = info.deviceID.flatMap { try? DeviceID.parse($0) }?.languages ?? []
                if !spoken.isEmpty, !spoken.contains(where: profile.supports) {
                    notes.append("the printer announces \(spoken.map { $0.rawValue.uppercased() }.joined(separator: "/")) "
                        + "but profile \(profile.id) speaks \(profile.languages.map { $0.rawValue.uppercased() }.joined(separator: "/")); jobs may print as text")
                }
            } else {
                let deviceID = info.deviceID.flatMap { try? DeviceID.parse($0) }
                guard let match = library.match(vendorId: info.vendorId, productId: info.productId, deviceID: deviceID) else {
                    await connection.close()
                    throw CLIError(.invalidData, "no printer profile matches \(info); name one with --profile (see 'lanyard profiles list')")
                }
                profile = match.profile
                if let mismatch = match.languageMismatch { notes.append(mismatch.description) }
            }
            let key = info.serialNumber ?? "usb-\(USBIdentity.hexText(info.vendorId)):\(USBIdentity.hexText(info.productId))"
            return ConnectedPrinter(client: PrinterClient(connection: connection, profile: profile), key: key,
                                    name: "\(info.product ?? profile.model) (\(address))", notes: notes, simulator: nil)
        case .tcp:
            let profile = try requiredProfile(for: address)
            let connection = try await TCPPrinterConnection.connect(to: address, timeout: timeoutDuration)
            return ConnectedPrinter(client: PrinterClient(connection: connection, profile: profile), key: address.description,
                                    name: "\(profile.model) (\(address))", notes: notes, simulator: nil)
        case .file(let path):
            let profile = try requiredProfile(for: address)
            let connection = try await DeviceFileConnection.open(path: path)
            return ConnectedPrinter(client: PrinterClient(connection: connection, profile: profile), key: address.description,
                                    name: "\(profile.model) (\(address))", notes: notes, simulator: nil)
        case .simulator:
            let profile = try Resources.profile(self.profile ?? "zebra-zd621d-300", directory: profilesDir)
            try makeDirectory(URL(filePath: simOut, directoryHint: .isDirectory))
            let simulator = try PrinterSimulator(profile: profile, outputDirectory: simOut)
            let client = PrinterClient(connection: VirtualPrinterConnection(simulator: simulator), profile: profile)
            return ConnectedPrinter(client: client, key: "sim", name: "the simulator (sim, as \(profile.model))", notes: notes,
                                    simulator: simulator)
        }
    }

    private func requiredProfile(for address: PrinterAddress) throws -> PrinterProfile {
        guard let name = profile else {
            throw CLIError(.usage, "\(address) does not say what printer it is; name its profile with --profile (see 'lanyard profiles list')")
        }
        return try Resources.profile(name, directory: profilesDir)
    }
}

/// An open printer, ready for commands.
struct ConnectedPrinter {
    let client: PrinterClient
    /// What per-printer state (tuning) is stored under: the USB serial number, or the address.
    let key: String
    /// For messages: model and address.
    let name: String
    /// Things the user should know (fell back to the simulator, language mismatch).
    let notes: [String]
    /// The in-process simulator behind `sim`, to wait for its labels before the command ends.
    let simulator: PrinterSimulator?

    var profile: PrinterProfile { client.profile }

    /// Fails with exit code 75 unless the printer reports that it can print; a printer whose
    /// state cannot be read (a device file) is trusted, with a warning.
    func requireReady() async throws {
        let reading = try await client.status()
        if reading.status.isReady { return }
        if reading.status.conditions == [.unknown], !client.connection.canRead {
            Terminal.warning("\(name): cannot read the printer's state; sending anyway")
            return
        }
        let what = reading.status.sortedConditions.map(\.rawValue).joined(separator: ", ")
        let details = (reading.status.errors + reading.status.warnings).joined(separator: "; ")
        throw CLIError(.printerNotReady, "\(name) is not ready: \(what)\(details.isEmpty ? "" : " (\(details))")")
    }

    /// For the simulator: waits until it has printed `count` labels (they are decoded on arrival).
    func waitForSimulatedLabels(_ count: Int) async -> [SimulatedLabel] {
        guard let simulator else { return [] }
        return await simulator.waitForLabels(count: count, timeout: .seconds(30))
    }

    func close() async { await client.close() }
}

/// A value for JSONSerialization, which takes NSNull for a missing one, not Optional.none.
func nullable<T>(_ value: T?) -> Any { value.map { $0 as Any } ?? NSNull() }
