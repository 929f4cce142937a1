public import Foundation
import LanyardSupport

/// Turns what the user said about a printer (an address, a profile, or nothing at all) into a
/// printer with a settled profile that can be opened: the one place the command line and the
/// agent decide which printer they drive and which profile its bytes follow.
///
/// With no address, the attached USB printers are discovered; with none attached the built-in
/// simulator stands in, so a kiosk box without its printer still works end to end. Unless a
/// profile is named, a USB printer's is matched from its ids and IEEE 1284 device ID, and a
/// network printer's from its `~HI` answer (model and resolution), so it is contacted to ask; a
/// device file cannot be asked reliably (it may be write-only), so it needs one.
public struct PrinterResolver: Sendable {
    /// What to do when no address is given and more than one USB printer is attached.
    public enum SeveralUSBPrinters: Sendable {
        /// Fail and list them: an interactive command should not guess.
        case refuse
        /// Take the first one found: a daemon must start.
        case takeFirst
    }

    public var address: PrinterAddress?
    /// A profile id from `library`, or the path of a profile YAML file.
    public var profile: String?
    public var library: ProfileLibrary
    /// Where the simulator keeps the labels it prints, as PNG files.
    public var simulatorOutput: URL
    /// The profile the simulator plays when none is named.
    public var simulatorProfile = "zebra-zd621d-300"
    /// How long opening a printer may take.
    public var timeout: Duration = .seconds(10)
    public var whenSeveralUSBPrinters: SeveralUSBPrinters = .refuse

    public init(address: PrinterAddress?, profile: String?, library: ProfileLibrary, simulatorOutput: URL) {
        self.address = address
        self.profile = profile
        self.library = library
        self.simulatorOutput = simulatorOutput
    }

    /// Settles the printer without keeping a connection: a USB printer is opened once to read
    /// its ids; a network printer is contacted only when no profile is named, to ask its `~HI`
    /// (with one named it is not, so it may be switched on later).
    public func resolve() async throws -> ResolvedPrinter {
        let (printer, connection) = try await settle(keepingConnection: false)
        await connection?.close()
        return printer
    }

    /// Settles the printer and opens it, so that a printer that cannot be reached fails now.
    public func connect() async throws -> (ResolvedPrinter, PrinterClient) {
        let (printer, kept) = try await settle(keepingConnection: true)
        let client: PrinterClient
        if let kept {
            client = PrinterClient(connection: kept, profile: printer.profile)
        } else {
            client = try await printer.open()
        }
        return (printer, client)
    }

    private func settle(keepingConnection: Bool) async throws -> (ResolvedPrinter, (any PrinterConnection)?) {
        var notes: [String] = []
        let address = try await chosenAddress(notes: &notes)
        switch address {
        case .usb:
            let connection = try await USBPrinterConnection.open(address, timeout: timeout)
            let info = connection.info
            // Not `do { ... } catch { await close(); throw error }`: an `await` in that catch crashes
            // Swift 6.3's coroutine splitting in release builds (swifterror in CoroFrame).
            let chosen: PrinterProfile
            switch Result(catching: { try usbProfile(for: info, notes: &notes) }) {
            case .success(let profile): chosen = profile
            case .failure(let error):
                await connection.close()
                throw error
            }
            let key = info.serialNumber ?? "usb-\(USBIdentity.hexText(info.vendorId)):\(USBIdentity.hexText(info.productId))"
            let printer = ResolvedPrinter(
                address: info.printerAddress, profile: chosen, key: key,
                name: "\(info.product ?? chosen.model) (\(address))", notes: notes,
                simulator: nil, timeout: timeout)
            return (printer, connection)
        case .tcp, .file:
            let chosen: PrinterProfile
            var connection: (any PrinterConnection)?
            if case .tcp = address, profile == nil {
                let identified = try await identifiedNetworkPrinter(address, notes: &notes)
                chosen = identified.profile
                connection = identified.connection
            } else {
                chosen = try namedProfile(required: address)
            }
            let printer = ResolvedPrinter(
                address: address, profile: chosen, key: address.description,
                name: "\(chosen.model) (\(address))", notes: notes, simulator: nil, timeout: timeout)
            return (printer, connection)
        case .simulator:
            let chosen = try loadProfile(profile ?? simulatorProfile)
            do {
                try FileManager.default.createDirectory(at: simulatorOutput, withIntermediateDirectories: true)
            } catch {
                throw PrintersError(
                    code: .configurationInvalid, message: "cannot create the simulator's label directory",
                    field: simulatorOutput.path, underlying: error)
            }
            let simulator = try PrinterSimulator(profile: chosen, outputDirectory: simulatorOutput.path)
            let printer = ResolvedPrinter(
                address: .simulator, profile: chosen, key: "sim",
                name: "the simulator (sim, as \(chosen.model))", notes: notes,
                simulator: simulator, timeout: timeout)
            return (printer, nil)
        }
    }

    private func chosenAddress(notes: inout [String]) async throws -> PrinterAddress {
        if let address { return address }
        let attached = ((try? await USBPrinterDiscovery.printers()) ?? []).filter { $0.problem == nil }
        if attached.isEmpty {
            notes.append("no USB printer is attached: using the built-in simulator (labels go to \(simulatorOutput.path))")
            return .simulator
        }
        if attached.count > 1, whenSeveralUSBPrinters == .refuse {
            throw PrintersError(
                code: .printerAmbiguous,
                message: "\(attached.count) USB printers are attached ("
                    + attached.map { $0.printerAddress.description }.joined(separator: ", ") + "); choose one",
                field: "printer")
        }
        return attached[0].printerAddress
    }

    private func usbProfile(for info: USBPrinterInfo, notes: inout [String]) throws -> PrinterProfile {
        let deviceID = info.deviceID.flatMap { try? DeviceID.parse($0) }
        if let profile {
            let chosen = try loadProfile(profile)
            let spoken = deviceID?.languages ?? []
            if !spoken.isEmpty, !spoken.contains(where: chosen.supports) {
                notes.append(
                    "the printer announces \(spoken.map { $0.rawValue.uppercased() }.joined(separator: "/")) "
                        + "but profile \(chosen.id) speaks \(chosen.languages.map { $0.rawValue.uppercased() }.joined(separator: "/")); jobs may print as text"
                )
            }
            return chosen
        }
        guard let match = library.match(vendorId: info.vendorId, productId: info.productId, deviceID: deviceID) else {
            throw PrintersError(
                code: .profileUnmatched,
                message: "no printer profile matches \(info); name one", field: "profile")
        }
        if let mismatch = match.languageMismatch { notes.append(mismatch.description) }
        return match.profile
    }

    /// Connects to a network printer and chooses its profile from its `~HI` answer
    /// (`ProfileLibrary.match(identification:)`). A printer that cannot be reached fails as
    /// connecting to it would. The answer is waited for no longer than a status query's, as an
    /// EPL printer never gives one (it keeps `~HI` as the start of a line, which the empty line
    /// every EPL job opens with ends).
    private func identifiedNetworkPrinter(
        _ address: PrinterAddress, notes: inout [String]
    ) async throws -> (profile: PrinterProfile, connection: TCPPrinterConnection) {
        let connection = try await TCPPrinterConnection.connect(to: address, timeout: timeout)
        let query = StatusQuery.zplHostIdentification
        // No `await` in a catch (see the USB branch of `settle`): the answer is kept, and the
        // connection closed below when it names no profile.
        let answer: Result<[UInt8], TransportError>
        do {
            answer = .success(
                try await PrinterClient.ask(query, over: connection, timeout: min(timeout, PrinterClient.defaultQueryTimeout)))
        } catch {
            answer = .failure(error)
        }
        switch Result(catching: { try identifiedProfile(answer: answer.get(), from: address, notes: &notes) }) {
        case .success(let profile): return (profile, connection)
        case .failure(let error):
            await connection.close()
            throw error
        }
    }

    /// The profile a `~HI` answer names, or why there is none: no answer, an unreadable one, or a
    /// model and resolution no profile has.
    private func identifiedProfile(answer: [UInt8], from address: PrinterAddress, notes: inout [String]) throws -> PrinterProfile {
        guard !answer.isEmpty else {
            throw PrintersError(
                code: .profileRequired,
                message: "\(address) did not answer ~HI in time (an EPL-only printer does not), so it does not say what printer it is; "
                    + "name its profile",
                field: "profile")
        }
        let identification: PrinterIdentification
        do {
            identification = try PrinterIdentification.parse(answer)
        } catch {
            throw PrintersError(
                code: .profileRequired,
                message: "\(address) answered ~HI with something unreadable (\(error.message)); name its profile",
                field: "profile", underlying: error)
        }
        guard let chosen = library.match(identification: identification) else {
            throw PrintersError(
                code: .profileUnmatched,
                message: "\(address) says (~HI) it is a \(identification.model) at \(identification.dpi) dpi, which no profile matches; "
                    + "name its profile",
                field: "profile")
        }
        notes.append(
            "profile \(chosen.id) chosen from the printer's ~HI answer: \(identification.model), firmware \(identification.firmware)")
        return chosen
    }

    private func namedProfile(required address: PrinterAddress) throws -> PrinterProfile {
        guard let profile else {
            throw PrintersError(
                code: .profileRequired,
                message: "\(address) does not say what printer it is; name its profile",
                field: "profile")
        }
        return try loadProfile(profile)
    }

    /// A profile by id, or from a YAML file when given something that looks like a path.
    private func loadProfile(_ idOrFile: String) throws -> PrinterProfile {
        if idOrFile.hasSuffix(".yaml") || idOrFile.hasSuffix(".yml") || idOrFile.contains("/") {
            return try ProfileLibrary.load(file: idOrFile)
        }
        return try library.require(id: idOrFile)
    }
}

/// A printer whose profile is settled, and how to open it again (the agent reopens it for every
/// job, so a printer that was unplugged and plugged back in is found at its stable address).
public struct ResolvedPrinter: Sendable {
    /// The stable address: `usb:SERIAL` for a USB printer with a serial number.
    public let address: PrinterAddress
    public let profile: PrinterProfile
    /// What per-printer state (tuning, jobs) is stored under: the USB serial number, or the address.
    public let key: String
    /// For messages: model and address.
    public let name: String
    /// What the user should know: fell back to the simulator, a language mismatch.
    public let notes: [String]
    /// The in-process simulator behind `sim`.
    public let simulator: PrinterSimulator?
    let timeout: Duration

    /// The language raster jobs are sent in.
    public var language: PrinterLanguage { profile.rasterLanguage ?? .zpl }

    public func open() async throws -> PrinterClient {
        let connection: any PrinterConnection
        switch address {
        case .simulator:
            guard let simulator else {
                throw PrintersError(code: .configurationInvalid, message: "the simulator was not set up", field: "printer")
            }
            connection = VirtualPrinterConnection(simulator: simulator)
        case .usb:
            connection = try await USBPrinterConnection.open(address, timeout: timeout)
        case .tcp:
            connection = try await TCPPrinterConnection.connect(to: address, timeout: timeout)
        case .file(let path):
            connection = try await DeviceFileConnection.open(path: path)
        }
        return PrinterClient(connection: connection, profile: profile)
    }
}
