public import Foundation
import LanyardSupport
import YAMLReading

extension AgentConfiguration {
    /// A place off the box a badge can print when the box's printers have not printed it by its
    /// deadline: a peer kiosk agent on the LAN (`peer`), or an office printer over IPP (`ipp`).
    /// The list is the chain's order (docs/handover.md).
    public struct Destination: Sendable, Equatable, Decodable {
        public enum Kind: Sendable, Equatable {
            /// Another Lanyard agent: its base URL (`http://` on a trusted LAN or loopback,
            /// `https://` with its certificate checked).
            case peer(URL)
            /// An IPP Everywhere printer: `ipp://HOST[:PORT]/PATH` or `ipps://...`.
            case ipp(String)
        }

        /// What jobs, metrics and pages call it; must differ from every printer's id.
        public var id: String
        public var kind: Kind
        /// Where an attendee collects a badge printed there, for the kiosk's screen.
        public var location: String?
        /// For a peer: the bearer token it accepts (one with the `peer` scope on its side), read
        /// from this file so the configuration holds no secret.
        public var tokenFile: String?
        /// For an `https://` peer: a PEM bundle of the certificate authorities to trust for it
        /// (nil: the system's); `certificate` and `key` are this agent's client certificate for
        /// a peer that asks for one (mutual TLS).
        public var ca: String?
        public var certificate: String?
        public var key: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case id, peer, ipp, location, tokenFile = "token_file", ca, certificate, key
        }

        public init(id: String, kind: Kind, location: String? = nil, tokenFile: String? = nil) {
            self.id = id
            self.kind = kind
            self.location = location
            self.tokenFile = tokenFile
        }

        public init(from decoder: any Decoder) throws {
            try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.decode(String.self, forKey: .id)
            let peer = try c.decodeIfPresent(String.self, forKey: .peer)
            let ipp = try c.decodeIfPresent(String.self, forKey: .ipp)
            switch (peer, ipp) {
            case (let peer?, nil):
                guard let url = URL(string: peer), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                    throw DecodingError.dataCorruptedError(
                        forKey: .peer, in: c, debugDescription: "a peer is the base URL of its agent: http(s)://HOST:PORT")
                }
                kind = .peer(url)
            case (nil, let ipp?):
                guard let url = URL(string: ipp), ["ipp", "ipps"].contains(url.scheme ?? ""), url.host != nil else {
                    throw DecodingError.dataCorruptedError(
                        forKey: .ipp, in: c, debugDescription: "an IPP printer is ipp://HOST[:PORT]/PATH or ipps://...")
                }
                kind = .ipp(ipp)
            default:
                throw DecodingError.dataCorruptedError(
                    forKey: .id, in: c, debugDescription: "a destination is either a peer (peer: URL) or a printer (ipp: URL)")
            }
            location = try c.decodeIfPresent(String.self, forKey: .location)
            tokenFile = try c.decodeIfPresent(String.self, forKey: .tokenFile)
            ca = try c.decodeIfPresent(String.self, forKey: .ca)
            certificate = try c.decodeIfPresent(String.self, forKey: .certificate)
            key = try c.decodeIfPresent(String.self, forKey: .key)
        }

        public var isPeer: Bool {
            if case .peer = kind { return true }
            return false
        }
    }

    /// The printers' ids, then the destinations': one name space, since a job's printer is either.
    func validateDestinations() throws(AgentError) {
        guard queue.deadlineSeconds > 0 else {
            throw AgentError(.configurationInvalid, "deadline_seconds must be more than 0", detail: "queue.deadline_seconds")
        }
        var ids = Set(configuredPrinters.compactMap(\.id))
        for (index, destination) in destinations.enumerated() {
            let path = "destinations[\(index)]"
            guard PrinterRouting.isPrinterID(destination.id) else {
                throw AgentError(
                    .configurationInvalid, "a destination id is 1 to 64 letters, digits, '-', '_' or '.'", detail: "\(path).id")
            }
            guard ids.insert(destination.id).inserted else {
                throw AgentError(
                    .configurationInvalid, "destination ids must differ from each other and from printer ids", detail: "\(path).id")
            }
            if destination.isPeer {
                guard destination.tokenFile != nil else {
                    throw AgentError(.configurationInvalid, "a peer needs token_file: the token it accepts", detail: "\(path).token_file")
                }
                guard (destination.certificate == nil) == (destination.key == nil) else {
                    throw AgentError(.configurationInvalid, "a client certificate needs its key, and the key its certificate", detail: path)
                }
            } else if destination.tokenFile != nil || destination.certificate != nil || destination.ca != nil {
                throw AgentError(.configurationInvalid, "token_file, ca, certificate and key are for peers", detail: path)
            }
        }
    }
}
