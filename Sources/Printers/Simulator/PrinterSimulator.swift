import Foundation
import Synchronization

/// A virtual ZPL or EPL label printer modelled on a `PrinterProfile`, so that jobs, status
/// polling and failure handling can be exercised with no printer attached.
///
/// It consumes bytes from any number of connections (`makeSession()`), prints each complete
/// label by decoding its graphics (written as PNGs to an output directory), keeps the settings
/// the commands set, answers status queries in the printer's exact formats, and can be put in
/// paper-out, head-open, paused, slow or connection-dropping modes at any time.
///
/// A class with a mutex rather than an actor: the TCP server feeds it from plain threads
/// blocked in `poll`, which must hand over bytes and get replies synchronously; every call
/// holds the lock only while the bytes are processed.
public final class PrinterSimulator: Sendable {
    public struct Configuration: Sendable {
        public var profile: PrinterProfile
        public var language: PrinterLanguage
        /// Where printed labels are written as `label-NNNNNN.png`; nil keeps them in memory only.
        public var outputDirectory: String?
        /// Real printers do not answer `~HS` while out of media or with the head open (§4.1);
        /// true makes the simulator answer anyway, with the paper-out or head-open flag set.
        public var answersHostStatusWhenFaulted: Bool
        /// Label length reported before a job sets one (the calibrated length of a real printer).
        public var labelLengthDots: Int
        /// `~HI` model field and the first `UQ` line.
        public var modelName: String
        public var firmwareVersion: String
        public var serialNumber: String
        public var memoryKB: Int

        /// Defaults from the profile: its preferred language, its first USB model pattern as the
        /// model name (what a real printer's `~HI` would match), 6 in labels.
        public init(profile: PrinterProfile, language: PrinterLanguage? = nil, outputDirectory: String? = nil) {
            self.profile = profile
            self.language = language ?? profile.languages.first ?? .zpl
            self.outputDirectory = outputDirectory
            answersHostStatusWhenFaulted = false
            labelLengthDots = profile.dpi * 6
            modelName = profile.usb?.deviceIdModelPatterns.first ?? profile.model
            firmwareVersion = "V00.00.00SIM"
            serialNumber = "SIM00001"
            memoryKB = 8192
        }
    }

    public let configuration: Configuration
    private let engine: Mutex<SimulatorEngine>

    public init(configuration: Configuration) throws(SimulatorError) {
        guard configuration.profile.supports(configuration.language) else {
            throw SimulatorError(
                .invalidConfiguration,
                "profile \(configuration.profile.id) does not speak \(configuration.language.rawValue)")
        }
        guard (1...32000).contains(configuration.labelLengthDots) else {
            throw SimulatorError(.invalidConfiguration, "label length \(configuration.labelLengthDots) is outside 1...32000")
        }
        if let directory = configuration.outputDirectory {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw SimulatorError(.invalidConfiguration, "cannot create the output directory \(directory)", underlying: error)
            }
        }
        self.configuration = configuration
        engine = Mutex(SimulatorEngine(configuration: configuration))
    }

    public convenience init(
        profile: PrinterProfile, language: PrinterLanguage? = nil, outputDirectory: String? = nil
    ) throws(SimulatorError) {
        try self.init(configuration: Configuration(profile: profile, language: language, outputDirectory: outputDirectory))
    }

    public var language: PrinterLanguage { configuration.language }

    public var mode: SimulatorMode { engine.withLock { $0.mode } }

    /// Switches the mode. Leaving paper-out, head-open or paused prints the held labels.
    public func setMode(_ mode: SimulatorMode) throws(SimulatorError) {
        switch mode {
        case .slow(let rate) where rate < 1:
            throw SimulatorError(.invalidConfiguration, "a slow printer needs a rate of at least 1 byte a second")
        case .dropConnection(let limit) where limit < 0:
            throw SimulatorError(.invalidConfiguration, "a connection cannot drop after \(limit) bytes")
        default:
            engine.withLock { $0.setMode(mode) }
        }
    }

    /// Bytes a second a connection may deliver now (`slow` mode), or nil for no limit.
    public var receiveRateLimit: Int? {
        if case .slow(let rate) = mode { return rate }
        return nil
    }

    public var printedLabels: [SimulatedLabel] { engine.withLock { $0.printed } }

    /// Jobs that could not be printed and other problems, oldest first.
    public var errors: [SimulatorError] { engine.withLock { $0.errors } }

    public var snapshot: SimulatorSnapshot { engine.withLock { $0.snapshot } }

    /// What a status reader should conclude from the printer's replies now.
    public var status: PrinterStatus {
        engine.withLock { engine in
            PrinterStatus(
                conditions: [engine.mode.condition], formatsInBuffer: engine.held.count,
                labelsRemaining: engine.held.reduce(0) { $0 + $1.copies })
        }
    }

    /// A new connection to the printer, with its own reception state.
    public func makeSession() -> SimulatorSession {
        SimulatorSession(id: engine.withLock { $0.openSession() }, simulator: self)
    }

    /// Waits until at least `count` labels have been printed or `timeout` passes, and returns
    /// the printed labels. For tests and demos that feed the simulator over a socket, where
    /// printing happens on the server's thread.
    public func waitForLabels(count: Int, timeout: Duration) async -> [SimulatedLabel] {
        await waitFor(timeout: timeout) { $0.printed.count >= count ? $0.printed : nil } ?? printedLabels
    }

    /// Waits until at least `count` errors have been recorded or `timeout` passes.
    public func waitForErrors(count: Int, timeout: Duration) async -> [SimulatorError] {
        await waitFor(timeout: timeout) { $0.errors.count >= count ? $0.errors : nil } ?? errors
    }

    private func waitFor<T: Sendable>(timeout: Duration, _ check: @Sendable (borrowing SimulatorEngine) -> T?) async -> T? {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            if let value = engine.withLock({ check($0) }) { return value }
            guard clock.now < deadline else { return nil }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    func receive(_ bytes: [UInt8], session: Int) -> SimulatorDelivery {
        // Read before taking the lock, so neither waiting for it nor decoding counts as transit.
        let arrival = ContinuousClock.now
        return engine.withLock { $0.receive(bytes, session: session, at: arrival) }
    }

    func closeSession(_ session: Int) {
        engine.withLock { $0.closeSession(session) }
    }
}

/// One connection to a `PrinterSimulator`. Bytes of a label cut off when the session ends
/// (or is dropped) are discarded, never printed.
public final class SimulatorSession: Sendable {
    public let id: Int
    private let simulator: PrinterSimulator
    private let closed = Atomic<Bool>(false)

    init(id: Int, simulator: PrinterSimulator) {
        self.id = id
        self.simulator = simulator
    }

    /// Hands bytes to the printer; returns its replies and whether it dropped the connection.
    public func receive(_ bytes: [UInt8]) -> SimulatorDelivery {
        guard !closed.load(ordering: .acquiring) else {
            return SimulatorDelivery(replies: [], acceptedBytes: 0, closeConnection: true)
        }
        let delivery = simulator.receive(bytes, session: id)
        if delivery.closeConnection { closed.store(true, ordering: .releasing) }
        return delivery
    }

    public var isClosed: Bool { closed.load(ordering: .acquiring) }

    public func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        simulator.closeSession(id)
    }

    deinit { close() }
}
