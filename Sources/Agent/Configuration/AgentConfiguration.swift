public import Foundation
import Glibc
public import LanyardSupport
import Printers
import YAMLReading

/// Everything the agent can be told, with the default of each. Read from a YAML file (every key
/// optional; `systemd/agent.yaml` documents them), then environment variables named in
/// `EnvironmentOverride` on top, so a unit file or a container can change one value without a
/// file. With no file at all the agent runs on these defaults.
public struct AgentConfiguration: Sendable, Equatable, Decodable {
    /// `HOST:PORT` of the HTTP API, or `unix:PATH` for a unix socket (`ListenAddress`). Loopback
    /// by default: the kiosk page runs on the same box.
    public var listen: String = "127.0.0.1:8080"
    /// Names a browser may address the agent by besides loopback, the box's host name and its
    /// addresses (a name in DNS, a reverse proxy's); any other Host is refused (DNS rebinding).
    public var allowedHosts: [String] = []
    /// Where the database and the simulator's labels live (nil: the caller's state directory).
    public var dataDirectory: String?
    /// Event configuration YAML (nil: the sample event that ships with the templates).
    public var event: String?
    /// Registrations (JSONL or CSV) loaded into the attendee cache at start (nil: the samples).
    public var attendees: String?
    public var templates = Templates()
    /// The one printer of the simple form (`printer:`).
    public var printer = Printer()
    /// Several printers (`printers:`), each with an `id` and, optionally, the tiers and tracks it
    /// takes; when given, `printer:` is not.
    public var printers: [Printer] = []
    /// Where a badge goes, in this order, when the box's printers have not printed it by its
    /// deadline (`queue.deadline_seconds`): peer kiosks and office printers (`Destination`).
    public var destinations: [Destination] = []
    public var queue = Queue()
    /// How long intake, rendering and encoding of one badge may take (`LimitSettings`).
    public var limits = LimitSettings()
    /// How often the operator page's alerts are evaluated (`AlertSettings`).
    public var alerts = AlertSettings()
    public var webhooks = Webhooks()
    public var kiosk = Kiosk()
    /// When failed scans raise a printer's QR module or darkness (`ScanQualitySettings`).
    public var scanQuality = ScanQualitySettings()
    /// Who may sign in on the kiosk's staff pages, each with a role and a PIN hash.
    public var staff: [StaffMember] = []
    /// Bearer token for admin actions (reprints, dead-letter replay). Nil disables them.
    public var adminToken: String?
    /// Tokens for integrators and peers, each with its scopes and the window it is accepted in.
    public var tokens: [AccessToken] = []
    /// The HTTPS listener beside `listen`; nil: none.
    public var tls: TLSSettings?
    public var registry = RegistrySettings()
    /// Names this kiosk in the check-ins it sends the registry, which tells kiosks apart when
    /// two checked the same attendee in. Default: the host name.
    public var kioskID: String = AgentConfiguration.defaultKioskID

    /// The host name as the kernel has it (`gethostname`, no DNS lookup: a kiosk may start
    /// offline), or "kiosk" on a host without one.
    public static var defaultKioskID: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "kiosk" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "kiosk" : name
    }

    public struct Templates: Sendable, Equatable, Decodable {
        /// Directory holding the template bundles (nil: the bundled Templates/).
        public var directory: String?
        /// Bundle for this event, tried first.
        public var event: String?
        /// Bundle per track (attendee `track`), tried next.
        public var tracks: [String: String] = [:]
        /// The last resort.
        public var fallback: String = "standard"

        enum CodingKeys: String, CodingKey, CaseIterable { case directory, event, tracks, fallback }
        public init() {}
        public init(from decoder: any Decoder) throws {
            try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            directory = try c.decodeIfPresent(String.self, forKey: .directory)
            event = try c.decodeIfPresent(String.self, forKey: .event)
            tracks = try c.decodeIfPresent([String: String].self, forKey: .tracks) ?? [:]
            fallback = try c.decodeIfPresent(String.self, forKey: .fallback) ?? "standard"
        }
    }

    public struct Printer: Sendable, Equatable, Decodable {
        /// What jobs, metrics and pages call the printer. Required in `printers:`; the simple form
        /// takes the printer's serial number or address.
        public var id: String?
        /// `usb`, `usb:SERIAL`, `tcp://HOST[:PORT]`, `file:PATH` or `sim`; nil: the first USB
        /// printer found, else the simulator.
        public var address: String?
        /// Profile id; nil: matched from a USB printer, `zebra-zd621d-300` for the simulator.
        public var profile: String?
        /// Seconds between status polls while the queue is paused or idle.
        public var pollSeconds: Double = 1
        /// Seconds the printer may take to confirm a badge (its buffer empty, no fault).
        public var confirmSeconds: Double = 20
        /// Access tiers whose badges go to this printer (`vip`, `speaker`, ...); empty: any.
        public var tiers: [String] = []
        /// Attendee tracks whose badges go to this printer; empty: any.
        public var tracks: [String] = []
        /// Priorities whose badges go to this printer (`high`: people waiting at the kiosk); empty: any.
        public var priorities: [String] = []
        /// Where an attendee collects what this printer prints, in words for the kiosk's screen
        /// ("Kiosk 2, left of the entrance"); told when a badge prints away from the kiosk used.
        public var location: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case id, address, profile, pollSeconds = "poll_seconds", confirmSeconds = "confirm_seconds", tiers, tracks, location
            case priorities
        }
        public init() {}
        public init(from decoder: any Decoder) throws {
            try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.decodeIfPresent(String.self, forKey: .id)
            address = try c.decodeIfPresent(String.self, forKey: .address)
            profile = try c.decodeIfPresent(String.self, forKey: .profile)
            pollSeconds = try c.decodeIfPresent(Double.self, forKey: .pollSeconds) ?? 1
            confirmSeconds = try c.decodeIfPresent(Double.self, forKey: .confirmSeconds) ?? 20
            tiers = try c.decodeIfPresent([String].self, forKey: .tiers) ?? []
            tracks = try c.decodeIfPresent([String].self, forKey: .tracks) ?? []
            location = try c.decodeIfPresent(String.self, forKey: .location)
            priorities = try c.decodeIfPresent([String].self, forKey: .priorities) ?? []
        }
    }

    public struct Queue: Sendable, Equatable, Decodable {
        /// Jobs waiting or in flight per printer before new requests get 429.
        public var maxQueued: Int = 500
        /// Sends per job, the first included, before manual review.
        public var maxAttempts: Int = 3
        public var retryBaseMilliseconds: Int = 500
        public var breakerFailures: Int = 5
        public var breakerCoolDownSeconds: Double = 30
        /// With several printers: how long a printer may be out of paper, open, paused or resting
        /// after faults before its queued jobs go to another printer of the box.
        public var handoverSeconds: Double = 1
        /// How long a badge may wait at one place of its chain (the box's printers, then each of
        /// `destinations`) before it goes to the next, counted from its acceptance and again
        /// from each move; with no place left it is flagged to the operator.
        public var deadlineSeconds: Double = 60

        enum CodingKeys: String, CodingKey, CaseIterable {
            case maxQueued = "max_queued", maxAttempts = "max_attempts", retryBaseMilliseconds = "retry_base_ms"
            case breakerFailures = "breaker_failures", breakerCoolDownSeconds = "breaker_cool_down_seconds"
            case handoverSeconds = "handover_seconds", deadlineSeconds = "deadline_seconds"
        }
        public init() {}
        public init(from decoder: any Decoder) throws {
            try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            maxQueued = try c.decodeIfPresent(Int.self, forKey: .maxQueued) ?? 500
            maxAttempts = try c.decodeIfPresent(Int.self, forKey: .maxAttempts) ?? 3
            retryBaseMilliseconds = try c.decodeIfPresent(Int.self, forKey: .retryBaseMilliseconds) ?? 500
            breakerFailures = try c.decodeIfPresent(Int.self, forKey: .breakerFailures) ?? 5
            breakerCoolDownSeconds = try c.decodeIfPresent(Double.self, forKey: .breakerCoolDownSeconds) ?? 30
            handoverSeconds = try c.decodeIfPresent(Double.self, forKey: .handoverSeconds) ?? 1
            deadlineSeconds = try c.decodeIfPresent(Double.self, forKey: .deadlineSeconds) ?? 60
        }
    }

    public struct Webhooks: Sendable, Equatable, Decodable {
        /// Shared secret per source (the registration system's name in the URL).
        public var secrets: [String: String] = [:]
        /// How old a signed timestamp may be, either way.
        public var toleranceSeconds: Int = 300
        /// Deliveries per minute per source before 429.
        public var perMinute: Int = 600
        /// The addresses each source may deliver from; a source not named here, from any address.
        public var allow: [String: [AddressRange]] = [:]

        enum CodingKeys: String, CodingKey, CaseIterable {
            case secrets, toleranceSeconds = "tolerance_seconds", perMinute = "per_minute", allow
        }
        public init() {}
        public init(from decoder: any Decoder) throws {
            try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            secrets = try c.decodeIfPresent([String: String].self, forKey: .secrets) ?? [:]
            toleranceSeconds = try c.decodeIfPresent(Int.self, forKey: .toleranceSeconds) ?? 300
            perMinute = try c.decodeIfPresent(Int.self, forKey: .perMinute) ?? 600
            allow = try c.decodeIfPresent([String: [AddressRange]].self, forKey: .allow) ?? [:]
        }
    }

    /// The attendee's page at a public kiosk.
    public struct Kiosk: Sendable, Equatable, Decodable {
        /// Whether an attendee without their QR code may search by name (off: scan only).
        public var search = true
        /// Searches a minute, for the whole kiosk: a public screen must not list the attendees.
        public var searchPerMinute = 20

        enum CodingKeys: String, CodingKey, CaseIterable { case search, searchPerMinute = "search_per_minute" }

        public init() {}

        public init(from decoder: any Decoder) throws {
            try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            search = try c.decodeIfPresent(Bool.self, forKey: .search) ?? true
            searchPerMinute = try c.decodeIfPresent(Int.self, forKey: .searchPerMinute) ?? 20
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case listen, dataDirectory = "data_dir", event, attendees, templates, printer, printers, destinations, queue, webhooks
        case adminToken = "admin_token"
        case kiosk, staff
        case registry, kioskID = "kiosk_id", allowedHosts = "allowed_hosts"
        case tokens, tls
        case limits
        case scanQuality = "scan_quality"
        case alerts
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        listen = try c.decodeIfPresent(String.self, forKey: .listen) ?? "127.0.0.1:8080"
        allowedHosts = try c.decodeIfPresent([String].self, forKey: .allowedHosts) ?? []
        dataDirectory = try c.decodeIfPresent(String.self, forKey: .dataDirectory)
        event = try c.decodeIfPresent(String.self, forKey: .event)
        attendees = try c.decodeIfPresent(String.self, forKey: .attendees)
        templates = try c.decodeIfPresent(Templates.self, forKey: .templates) ?? Templates()
        printer = try c.decodeIfPresent(Printer.self, forKey: .printer) ?? Printer()
        printers = try c.decodeIfPresent([Printer].self, forKey: .printers) ?? []
        if !printers.isEmpty, c.contains(.printer) {
            throw DecodingError.dataCorruptedError(
                forKey: .printers, in: c, debugDescription: "give either printer (one printer) or printers (several), not both")
        }
        destinations = try c.decodeIfPresent([Destination].self, forKey: .destinations) ?? []
        queue = try c.decodeIfPresent(Queue.self, forKey: .queue) ?? Queue()
        limits = try c.decodeIfPresent(LimitSettings.self, forKey: .limits) ?? LimitSettings()
        alerts = try c.decodeIfPresent(AlertSettings.self, forKey: .alerts) ?? AlertSettings()
        webhooks = try c.decodeIfPresent(Webhooks.self, forKey: .webhooks) ?? Webhooks()
        kiosk = try c.decodeIfPresent(Kiosk.self, forKey: .kiosk) ?? Kiosk()
        scanQuality = try c.decodeIfPresent(ScanQualitySettings.self, forKey: .scanQuality) ?? ScanQualitySettings()
        staff = try c.decodeIfPresent([StaffMember].self, forKey: .staff) ?? []
        adminToken = try c.decodeIfPresent(String.self, forKey: .adminToken)
        tokens = try c.decodeIfPresent([AccessToken].self, forKey: .tokens) ?? []
        tls = try c.decodeIfPresent(TLSSettings.self, forKey: .tls)
        registry = try c.decodeIfPresent(RegistrySettings.self, forKey: .registry) ?? RegistrySettings()
        kioskID = try c.decodeIfPresent(String.self, forKey: .kioskID) ?? Self.defaultKioskID
    }

    /// The file (if any), then the environment. A missing file at an explicit path is an error;
    /// `nil` means defaults plus environment.
    public static func load(
        file: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(AgentError) -> AgentConfiguration {
        var configuration = AgentConfiguration()
        if let file {
            let text: String
            do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
                throw AgentError(.configurationInvalid, "cannot read the configuration file", detail: file)
            }
            do {
                if !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                    configuration = try YAMLReader.decode(AgentConfiguration.self, from: text)
                }
            } catch let error as DecodingError {
                // The file, the key path and what is wrong there, in the words of the file.
                let path = error.settingPath
                throw AgentError(.configurationInvalid, "\(file)\(path.isEmpty ? "" : " at \(path)"): \(error.plainReason)", detail: file)
            } catch {
                throw AgentError(.configurationInvalid, "\(file) is not valid YAML: \(error)", detail: file)
            }
        }
        try configuration.applyEnvironment(environment)
        try configuration.validate()
        return configuration
    }

    /// `LANYARD_AGENT_LISTEN`, `LANYARD_DATA_DIR`, `LANYARD_PRINTER`, `LANYARD_PRINTER_PROFILE`,
    /// `LANYARD_ADMIN_TOKEN`, `LANYARD_EVENT`, `LANYARD_ATTENDEES`, `LANYARD_MAX_QUEUED`,
    /// `LANYARD_KIOSK_ID`, `LANYARD_REGISTRY_URL`, `LANYARD_REGISTRY_SERVER`, `LANYARD_REGISTRY_ROOT`.
    mutating func applyEnvironment(_ environment: [String: String]) throws(AgentError) {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        if let listen = value("LANYARD_AGENT_LISTEN") { self.listen = listen }
        if let directory = value("LANYARD_DATA_DIR") { dataDirectory = directory }
        if let address = value("LANYARD_PRINTER") { printer.address = address }
        if let profile = value("LANYARD_PRINTER_PROFILE") { printer.profile = profile }
        if let token = value("LANYARD_ADMIN_TOKEN") { adminToken = token }
        if let event = value("LANYARD_EVENT") { self.event = event }
        if let attendees = value("LANYARD_ATTENDEES") { self.attendees = attendees }
        if let url = value("LANYARD_REGISTRY_URL") { registry.url = url }
        if let server = value("LANYARD_REGISTRY_SERVER") { registry.server = server }
        if let root = value("LANYARD_REGISTRY_ROOT") { registry.root = root }
        if let kiosk = value("LANYARD_KIOSK_ID") { kioskID = kiosk }
        if let text = value("LANYARD_MAX_QUEUED") {
            guard let number = Int(text) else {
                throw AgentError(.configurationInvalid, "LANYARD_MAX_QUEUED must be a whole number", detail: text)
            }
            queue.maxQueued = number
        }
    }

    public func validate() throws(AgentError) {
        guard (try? ListenAddress(parsing: listen)) != nil else {
            throw AgentError(.configurationInvalid, "listen must be HOST:PORT or unix:/absolute/path", detail: "listen: \(listen)")
        }
        guard queue.maxQueued >= 1, queue.maxAttempts >= 1, queue.breakerFailures >= 1 else {
            throw AgentError(.configurationInvalid, "queue sizes and counts must be at least 1", detail: "queue")
        }
        guard webhooks.toleranceSeconds > 0, webhooks.perMinute > 0 else {
            throw AgentError(.configurationInvalid, "webhook tolerance and rate must be positive", detail: "webhooks")
        }
        try registry.validate()
        try limits.validate()
        try scanQuality.validate()
        try alerts.validate()
        try validatePrinters()
        try validateDestinations()
        try validateBoundary()
        var names: Set<String> = []
        for (index, member) in staff.enumerated() {
            guard !member.name.trimmingCharacters(in: .whitespaces).isEmpty, names.insert(member.name.lowercased()).inserted else {
                throw AgentError(.configurationInvalid, "staff names must be given and differ", detail: "staff[\(index)].name")
            }
            guard PinHash.isWellFormed(member.pinHash) else {
                throw AgentError(
                    .configurationInvalid, "pin_hash is not a PIN hash; make one with 'lanyard hash-pin'",
                    detail: "staff[\(index)].pin_hash")
            }
        }
        guard !kioskID.trimmingCharacters(in: .whitespaces).isEmpty, kioskID.count <= 200 else {
            throw AgentError(.configurationInvalid, "kiosk_id must be 1 to 200 characters, not blank", detail: "kiosk_id")
        }
    }
}
