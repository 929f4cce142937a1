import Foundation
import Glibc

/// An IPv4 or IPv6 address, or a network in CIDR notation (`10.0.0.0/8`, `192.0.2.7`,
/// `2001:db8::/32`): the addresses a webhook source may deliver from (`webhooks.allow`).
public struct AddressRange: Sendable, Equatable, Decodable {
    /// The network's address, 4 or 16 bytes.
    let network: [UInt8]
    /// How many leading bits an address must share with `network`.
    let prefixLength: Int

    /// Nil for anything but an address with an optional `/prefix` no longer than the address.
    public init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let address = Self.bytes(of: String(parts[0])) else { return nil }
        let bits = address.count * 8
        guard let length = parts.count == 2 ? Int(parts[1]) : bits, (0...bits).contains(length) else { return nil }
        network = address
        prefixLength = length
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let range = AddressRange(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "'\(text)' is not an address or a network (10.0.0.0/8, 192.0.2.7, 2001:db8::/32)")
        }
        self = range
    }

    /// Whether `address` (as a socket reports it: `10.1.2.3`, `::1`, `::ffff:10.1.2.3`) is in the
    /// range. An IPv4 client of a dual-stack listener arrives as an IPv4-mapped IPv6 address and is
    /// compared as the IPv4 address it is.
    public func contains(_ address: String) -> Bool {
        guard let bytes = Self.bytes(of: address), bytes.count == network.count else { return false }
        let whole = prefixLength / 8
        guard bytes[..<whole] == network[..<whole] else { return false }
        let rest = prefixLength % 8
        guard rest > 0 else { return true }
        let mask = UInt8(0xFF) << (8 - rest)
        return bytes[whole] & mask == network[whole] & mask
    }

    /// 4 bytes for IPv4 (an IPv4-mapped IPv6 address included), 16 for IPv6; nil for a name.
    static func bytes(of text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        let mappedPrefix: [UInt8] = Array(repeating: 0, count: 10) + [0xFF, 0xFF]
        return Array(bytes[..<12]) == mappedPrefix ? Array(bytes[12...]) : bytes
    }
}
