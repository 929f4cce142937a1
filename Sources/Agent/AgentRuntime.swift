import Badges
public import Foundation
public import Logging
public import Printers
import Prometheus
public import Store

/// Where the agent finds what ships with it.
public struct AgentResources: Sendable {
    public var templates: URL
    public var profiles: URL
    public var sampleEvent: URL
    public var sampleAttendees: URL
    /// The state directory when the configuration names none.
    public var defaultDataDirectory: URL

    public init(templates: URL, profiles: URL, sampleEvent: URL, sampleAttendees: URL, defaultDataDirectory: URL) {
        self.templates = templates
        self.profiles = profiles
        self.sampleEvent = sampleEvent
        self.sampleAttendees = sampleAttendees
        self.defaultDataDirectory = defaultDataDirectory
    }
}

/// Everything a running agent is made of, put together from its configuration: the store
/// (reconciled after an unclean stop), the attendee cache, the printer and its worker.
public struct AgentRuntime: Sendable {
    public let core: AgentCore
    public let workers: [PrinterWorker]
    /// The in-process simulator when the agent prints to `sim`.
    public let simulator: PrinterSimulator?
    public let dataDirectory: URL
    public let reconciled: [ReconciledJob]

    public static func start(configuration: AgentConfiguration, resources: AgentResources, logger: Logger) async throws -> AgentRuntime {
        let data = configuration.dataDirectory.map { URL(filePath: $0, directoryHint: .isDirectory) } ?? resources.defaultDataDirectory
        let store = try LanyardStore(path: data.appending(path: "lanyard.sqlite").path)
        let reconciled = try store.reconcileInterruptedJobs(now: Date())
        for job in reconciled {
            logger.warning("job reconciled after an unclean stop", metadata: ["job": "\(job.job.id)", "was": "\(job.from.rawValue)", "now": "\(job.job.state.rawValue)"])
        }
        let event = try EventConfiguration.load(file: configuration.event.map { URL(filePath: $0) } ?? resources.sampleEvent)
        let attendeesFile = configuration.attendees.map { URL(filePath: $0) } ?? resources.sampleAttendees
        var session = Intake(event: event).makeSession()
        let batch = attendeesFile.pathExtension.lowercased() == "csv"
            ? try session.acceptCSV(in: attendeesFile) : try session.acceptJSONLines(in: attendeesFile)
        let attendees = batch.outcomes.compactMap(\.attendee)
        try store.upsertAttendees(attendees)
        logger.info("attendee cache loaded", metadata: ["attendees": "\(attendees.count)", "file": "\(attendeesFile.lastPathComponent)"])

        let library = try ProfileLibrary.load(directory: resources.profiles.path)
        let printer = try await PrinterSetup.resolve(configuration.printer, library: library, simulatorOutput: data.appending(path: "sim"), logger: logger)
        let composer = BadgeComposer(templatesDirectory: configuration.templates.directory.map { URL(filePath: $0, directoryHint: .isDirectory) } ?? resources.templates,
                                     tiers: configuration.templates, profile: printer.profile, language: printer.language, logger: logger)
        let queue = configuration.queue
        let worker = PrinterWorker(
            printerID: printer.id, store: store, composer: composer, event: event,
            retry: RetryPolicy(maxAttempts: queue.maxAttempts, baseDelay: .milliseconds(queue.retryBaseMilliseconds)),
            breaker: CircuitBreaker(failureThreshold: queue.breakerFailures, coolDown: .milliseconds(Int(queue.breakerCoolDownSeconds * 1000))),
            pollInterval: .milliseconds(Int(max(0.05, configuration.printer.pollSeconds) * 1000)),
            confirmTimeout: .milliseconds(Int(max(1, configuration.printer.confirmSeconds) * 1000)),
            logger: logger, open: printer.open)
        let core = AgentCore(configuration: configuration, store: store, event: event, workers: [printer.id: worker],
                             defaultPrinter: printer.id, logger: logger)
        return AgentRuntime(core: core, workers: [worker], simulator: printer.simulator, dataDirectory: data, reconciled: reconciled)
    }
}

/// The printer the agent drives, and how to (re)open it.
struct PrinterSetup: Sendable {
    var id: String
    var profile: PrinterProfile
    var language: PrinterLanguage
    var simulator: PrinterSimulator?
    var open: @Sendable () async throws -> PrinterClient

    static func resolve(_ settings: AgentConfiguration.Printer, library: ProfileLibrary, simulatorOutput: URL,
                        logger: Logger) async throws -> PrinterSetup {
        var address: PrinterAddress
        if let text = settings.address {
            address = try PrinterAddress(parsing: text)
        } else {
            let found = ((try? await USBPrinterDiscovery.printers()) ?? []).filter { $0.problem == nil }
            address = found.first?.printerAddress ?? .simulator
            if found.isEmpty { logger.notice("no USB printer found: printing to the simulator", metadata: ["labels": "\(simulatorOutput.path)"]) }
        }
        func profile(_ fallback: String?) throws -> PrinterProfile {
            guard let id = settings.profile ?? fallback else {
                throw AgentError(.configurationInvalid, "printer \(address) needs a profile", detail: "printer.profile")
            }
            return try library.require(id: id)
        }
        switch address {
        case .simulator:
            let chosen = try profile("zebra-zd621d-300")
            try FileManager.default.createDirectory(at: simulatorOutput, withIntermediateDirectories: true)
            let simulator = try PrinterSimulator(profile: chosen, outputDirectory: simulatorOutput.path)
            return PrinterSetup(id: "sim", profile: chosen, language: chosen.rasterLanguage ?? .zpl, simulator: simulator) {
                PrinterClient(connection: VirtualPrinterConnection(simulator: simulator), profile: chosen)
            }
        case .usb:
            let connection = try await USBPrinterConnection.open(address)
            let info = connection.info
            await connection.close()
            let chosen: PrinterProfile
            if settings.profile != nil {
                chosen = try profile(nil)
            } else if let match = library.match(vendorId: info.vendorId, productId: info.productId,
                                                deviceID: info.deviceID.flatMap { try? DeviceID.parse($0) }) {
                chosen = match.profile
            } else {
                throw AgentError(.configurationInvalid, "no profile matches the USB printer \(info)", detail: "printer.profile")
            }
            let stable = info.printerAddress
            return PrinterSetup(id: info.serialNumber ?? stable.description, profile: chosen, language: chosen.rasterLanguage ?? .zpl, simulator: nil) {
                PrinterClient(connection: try await USBPrinterConnection.open(stable), profile: chosen)
            }
        case .tcp:
            let chosen = try profile(nil)
            let fixed = address
            return PrinterSetup(id: address.description, profile: chosen, language: chosen.rasterLanguage ?? .zpl, simulator: nil) {
                PrinterClient(connection: try await TCPPrinterConnection.connect(to: fixed, timeout: .seconds(5)), profile: chosen)
            }
        case .file(let path):
            let chosen = try profile(nil)
            return PrinterSetup(id: address.description, profile: chosen, language: chosen.rasterLanguage ?? .zpl, simulator: nil) {
                PrinterClient(connection: try await DeviceFileConnection.open(path: path), profile: chosen)
            }
        }
    }
}
