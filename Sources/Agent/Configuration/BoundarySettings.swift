public import Foundation
import LanyardSupport
import Sync
import YAMLReading

/// The HTTPS listener for integrators and peers (docs/agent.md, "Integrators and peers"). It is a
/// second listener beside `listen`, which stays plain HTTP for the kiosk's own page on loopback;
/// with `client_ca` or `client_pins` every client must present a certificate the agent accepts,
/// or the handshake fails.
public struct TLSSettings: Sendable, Equatable, Decodable {
    /// `HOST:PORT` of the HTTPS listener; all IPv4 interfaces by default, for machines on the LAN.
    public var listen: String = "0.0.0.0:8443"
    /// PEM file: the server's certificate, then the intermediates that chain it to its root.
    public var certificate: String
    /// PEM file: the certificate's private key.
    public var key: String
    /// PEM bundle of the certificate authorities whose client certificates are accepted.
    public var clientCA: String?
    /// SHA-256 fingerprints of client certificates accepted on their own (self-signed, or from a CA
    /// not trusted as a whole), lowercase hex without separators.
    public var clientPins: [String] = []

    /// Whether a client must present a certificate.
    public var verifiesClients: Bool { clientCA != nil || !clientPins.isEmpty }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case listen, certificate, key, clientCA = "client_ca", clientPins = "client_pins"
    }

    /// `clientPins` may be written as `openssl x509 -fingerprint -sha256` prints them (`AB:CD:...`).
    public init(listen: String = "0.0.0.0:8443", certificate: String, key: String, clientCA: String? = nil, clientPins: [String] = []) {
        self.listen = listen
        self.certificate = certificate
        self.key = key
        self.clientCA = clientCA
        self.clientPins = clientPins.map { Self.fingerprint($0) ?? $0 }
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        listen = try c.decodeIfPresent(String.self, forKey: .listen) ?? "0.0.0.0:8443"
        certificate = try c.decode(String.self, forKey: .certificate)
        key = try c.decode(String.self, forKey: .key)
        clientCA = try c.decodeIfPresent(String.self, forKey: .clientCA)
        for (index, text) in (try c.decodeIfPresent([String].self, forKey: .clientPins) ?? []).enumerated() {
            guard let pin = Self.fingerprint(text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .clientPins, in: c,
                    debugDescription: "item \(index + 1) is not a SHA-256 fingerprint: 64 hex digits, colons allowed")
            }
            clientPins.append(pin)
        }
    }

    /// `AB:CD:…` or `abcd…` as 64 lowercase hex digits; nil for anything else.
    static func fingerprint(_ text: String) -> String? {
        let hex = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ":", with: "").lowercased()
        guard hex.count == 64, Hex.decode(hex) != nil else { return nil }
        return hex
    }

    func validate() throws(AgentError) {
        guard case .tcp = try? ListenAddress(parsing: listen) else {
            throw AgentError(.configurationInvalid, "the HTTPS listener needs HOST:PORT", detail: "tls.listen: \(listen)")
        }
        for (index, pin) in clientPins.enumerated() where Self.fingerprint(pin) != pin {
            throw AgentError(
                .configurationInvalid, "not a SHA-256 fingerprint: 64 hex digits, colons allowed", detail: "tls.client_pins[\(index)]")
        }
    }
}

/// What a token from `tokens` lets its holder do.
public enum TokenScope: String, Sendable, Decodable, CaseIterable {
    /// Submit badges: `POST /v1/badges`.
    case print
    /// Check attendees in: `POST /v1/checkins`.
    case checkIn = "check-in"
    /// Hand badges over as a peer kiosk: `/v1/peer/handovers` (docs/handover.md).
    case peer
    /// Everything the admin token allows.
    case admin
}

/// A bearer token an integrator or a peer holds, kept here only as its SHA-256: the agent's
/// configuration never holds the token itself. `not_before` and `not_after` bound when it is
/// accepted, so a rotation overlaps two tokens for as long as the holders need to switch.
public struct AccessToken: Sendable, Equatable, Decodable {
    /// Who holds it (a registration system, a peer kiosk); named in the audit trail and in logs.
    public var name: String
    public var scopes: Set<TokenScope>
    /// SHA-256 of the token, lowercase hex (`lanyard hash-pin --token`).
    public var sha256: String
    public var notBefore: Date?
    public var notAfter: Date?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, scopes, sha256, notBefore = "not_before", notAfter = "not_after"
    }

    public init(name: String, scopes: Set<TokenScope>, sha256: String, notBefore: Date? = nil, notAfter: Date? = nil) {
        self.name = name
        self.scopes = scopes
        self.sha256 = sha256.lowercased()
        self.notBefore = notBefore
        self.notAfter = notAfter
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        scopes = Set(try c.decode([TokenScope].self, forKey: .scopes))
        sha256 = try c.decode(String.self, forKey: .sha256).lowercased()
        notBefore = try Self.instant(c, .notBefore)
        notAfter = try Self.instant(c, .notAfter)
    }

    /// An ISO-8601 instant with its offset; the zone is not guessed.
    private static func instant(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> Date? {
        guard let text = try container.decodeIfPresent(String.self, forKey: key) else { return nil }
        guard let date = Timestamps.parse(text) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: container, debugDescription: "expected an ISO-8601 time with its offset, like 2026-11-02T12:00:00Z")
        }
        return date
    }

    /// The hex SHA-256 of a token, as `sha256` holds it.
    public static func digest(of token: String) -> String { SHA256Digest.hex(Data(token.utf8)) }

    /// Long enough that guessing is hopeless: `openssl rand -hex 32` gives 64 characters.
    public static func isStrong(_ token: String) -> Bool { token.utf8.count >= 32 && !token.contains(where: \.isWhitespace) }

    /// Whether `now` is within the token's window (`not_before` included, `not_after` not).
    public func isCurrent(at now: Date) -> Bool {
        (notBefore.map { now >= $0 } ?? true) && (notAfter.map { now < $0 } ?? true)
    }

    func validate(at index: Int) throws(AgentError) {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw AgentError(.configurationInvalid, "every token needs a name", detail: "tokens[\(index)].name")
        }
        guard !scopes.isEmpty else {
            throw AgentError(
                .configurationInvalid, "a token needs at least one scope: print, check-in, peer, admin", detail: "tokens[\(index)].scopes")
        }
        guard sha256.count == 64, Hex.decode(sha256) != nil else {
            throw AgentError(
                .configurationInvalid, "sha256 is the token's SHA-256 in hex; make it with 'lanyard hash-pin --token'",
                detail: "tokens[\(index)].sha256")
        }
        if let notBefore, let notAfter, notAfter <= notBefore {
            throw AgentError(.configurationInvalid, "not_after must come after not_before", detail: "tokens[\(index)].not_after")
        }
    }
}

extension AgentConfiguration {
    /// The HTTPS listener, the tokens and the webhook sources' address lists.
    func validateBoundary() throws(AgentError) {
        try tls?.validate()
        var names: Set<String> = []
        var digests: Set<String> = []
        for (index, token) in tokens.enumerated() {
            try token.validate(at: index)
            guard names.insert(token.name.lowercased()).inserted, digests.insert(token.sha256).inserted else {
                throw AgentError(.configurationInvalid, "token names and hashes must differ", detail: "tokens[\(index)]")
            }
        }
        for source in webhooks.allow.keys.sorted() where webhooks.secrets[source] == nil {
            throw AgentError(.configurationInvalid, "an address list for a source without a secret", detail: "webhooks.allow.\(source)")
        }
    }
}
