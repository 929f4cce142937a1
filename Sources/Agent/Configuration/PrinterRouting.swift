public import Attendees
public import Store

extension AgentConfiguration {
    /// The printers the agent drives: the `printers:` list, or the one `printer:`.
    public var configuredPrinters: [Printer] { printers.isEmpty ? [printer] : printers }

    func validatePrinters() throws(AgentError) {
        guard queue.handoverSeconds >= 0 else {
            throw AgentError(.configurationInvalid, "handover_seconds must be 0 or more", detail: "queue.handover_seconds")
        }
        var ids: Set<String> = []
        for (index, entry) in printers.enumerated() {
            let path = "printers[\(index)]"
            guard let id = entry.id, PrinterRouting.isPrinterID(id) else {
                throw AgentError(
                    .configurationInvalid, "each printer needs an id of 1 to 64 letters, digits, '-', '_' or '.'", detail: "\(path).id")
            }
            guard ids.insert(id).inserted else { throw AgentError(.configurationInvalid, "printer ids must differ", detail: "\(path).id") }
            for priority in entry.priorities where JobPriority(rawValue: priority) == nil {
                throw AgentError(
                    .configurationInvalid, "'\(priority)' is not a priority (high, normal, low)", detail: "\(path).priorities")
            }
            for tier in entry.tiers where AccessTier(rawValue: tier) == nil {
                throw AgentError(
                    .configurationInvalid,
                    "'\(tier)' is not an access tier (\(AccessTier.allCases.map(\.rawValue).joined(separator: ", ")))",
                    detail: "\(path).tiers")
            }
        }
        if printers.isEmpty, let id = printer.id, !PrinterRouting.isPrinterID(id) {
            throw AgentError(.configurationInvalid, "a printer id is 1 to 64 letters, digits, '-', '_' or '.'", detail: "printer.id")
        }
    }
}

/// Which printer of the box a badge goes to. A printer that names tiers, tracks or priorities
/// takes those badges (VIPs and speakers on the second printer, say, or the people waiting at the
/// kiosk on the fast one) and no others; a printer that names
/// none takes everyone the named ones do not. Among the printers an attendee may go to, a ready one
/// wins, then the least loaded, then the first configured; when none of them is ready, any ready
/// printer of the box will do, so an attendee is not kept waiting behind an empty printer.
public struct PrinterRouting: Sendable {
    public struct Route: Sendable, Equatable {
        public var printerID: String
        public var tiers: Set<AccessTier>
        public var tracks: Set<String>
        public var priorities: Set<JobPriority>

        public init(printerID: String, tiers: Set<AccessTier> = [], tracks: Set<String> = [], priorities: Set<JobPriority> = []) {
            self.printerID = printerID
            self.tiers = tiers
            self.tracks = tracks
            self.priorities = priorities
        }

        var takesEveryone: Bool { tiers.isEmpty && tracks.isEmpty && priorities.isEmpty }

        func names(_ attendee: Attendee, priority: JobPriority) -> Bool {
            tiers.contains(attendee.accessTier) || attendee.track.map { tracks.contains($0) } == true || priorities.contains(priority)
        }
    }

    /// In configuration order.
    public var routes: [Route]

    public init(routes: [Route]) { self.routes = routes }

    /// What routing needs to know of a printer now.
    public struct Load: Sendable {
        public var ready: Bool
        public var queued: Int

        public init(ready: Bool, queued: Int) {
            self.ready = ready
            self.queued = queued
        }
    }

    /// The printer for `attendee`'s badge at `priority`, given each printer's load; `excluding`
    /// one (a hand-over's source).
    public func printer(
        for attendee: Attendee, priority: JobPriority = .normal, load: (String) -> Load, excluding: String? = nil
    ) -> String? {
        let open = routes.filter { $0.printerID != excluding }
        guard !open.isEmpty else { return nil }
        let named = open.filter { $0.names(attendee, priority: priority) }
        let eligible = named.isEmpty ? open.filter(\.takesEveryone) : named
        let loads = Dictionary(uniqueKeysWithValues: open.map { ($0.printerID, load($0.printerID)) })
        func best(_ candidates: [Route]) -> String? {
            candidates.enumerated().min { first, second in
                let a = loads[first.element.printerID]!
                let b = loads[second.element.printerID]!
                if a.queued != b.queued { return a.queued < b.queued }
                return first.offset < second.offset
            }?.element.printerID
        }
        let pool = eligible.isEmpty ? open : eligible
        if let ready = best(pool.filter { loads[$0.printerID]!.ready }) { return ready }
        if let anyReady = best(open.filter { loads[$0.printerID]!.ready }) { return anyReady }
        return best(pool)
    }

    static func isPrinterID(_ id: String) -> Bool {
        (1...64).contains(id.count)
            && id.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0))
            }
    }
}
