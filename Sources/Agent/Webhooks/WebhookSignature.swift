import Crypto
public import Foundation

/// Signed registration deliveries. The sender signs `"<timestamp>.<body>"` with HMAC-SHA256 and
/// the source's shared secret, and sends:
///
/// - `X-Lanyard-Timestamp`: Unix seconds when it signed;
/// - `X-Lanyard-Signature`: `sha256=<hex digest>`;
/// - `X-Lanyard-Delivery`: an id unique per delivery (a retry of the same delivery keeps it).
///
/// A delivery is accepted when the signature matches (compared in constant time), the timestamp
/// is within the tolerance of the agent's clock, and the delivery id has not been seen: a
/// captured request replayed later fails one of the last two.
public struct WebhookSignature: Sendable {
    public static let timestampHeader = "X-Lanyard-Timestamp"
    public static let signatureHeader = "X-Lanyard-Signature"
    public static let deliveryHeader = "X-Lanyard-Delivery"

    public let secret: String
    public let tolerance: TimeInterval

    public init(secret: String, tolerance: TimeInterval) {
        self.secret = secret
        self.tolerance = tolerance
    }

    /// The header value a sender puts in `X-Lanyard-Signature`.
    public static func sign(body: Data, timestamp: Int, secret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(
            for: message(body: body, timestamp: timestamp), using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + code.map { String(format: "%02x", $0) }.joined()
    }

    /// Checks signature and freshness (replays are the store's part: `recordDelivery`).
    public func verify(body: Data, timestamp header: String?, signature: String?, now: Date) throws(AgentError) {
        guard let header, let timestamp = Int(header.trimmingCharacters(in: .whitespaces)) else {
            throw AgentError(.signatureInvalid, "missing or malformed timestamp", detail: Self.timestampHeader)
        }
        guard let signature, signature.hasPrefix("sha256="), let digest = Self.bytes(hex: String(signature.dropFirst(7))) else {
            throw AgentError(.signatureInvalid, "missing or malformed signature", detail: Self.signatureHeader)
        }
        let key = SymmetricKey(data: Data(secret.utf8))
        guard HMAC<SHA256>.isValidAuthenticationCode(digest, authenticating: Self.message(body: body, timestamp: timestamp), using: key)
        else {
            throw AgentError(.signatureInvalid, "signature does not match the body", detail: Self.signatureHeader)
        }
        guard abs(now.timeIntervalSince1970 - Double(timestamp)) <= tolerance else {
            throw AgentError(
                .signatureInvalid, "timestamp is more than \(Int(tolerance)) s from the agent's clock", detail: Self.timestampHeader)
        }
    }

    static func message(body: Data, timestamp: Int) -> Data {
        Data("\(timestamp).".utf8) + body
    }

    static func bytes(hex: String) -> Data? {
        guard hex.count == 64 else { return nil }
        var data = Data(capacity: 32)
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            data.append(byte)
            index = next
        }
        return data
    }
}
