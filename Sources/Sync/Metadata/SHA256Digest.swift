import Crypto
public import Foundation

/// SHA-256 in one place, so callers need not import Crypto for a hash.
public enum SHA256Digest {
    public static func of(_ data: Data) -> [UInt8] { Array(SHA256.hash(data: data)) }
    public static func hex(_ data: Data) -> String { Hex.encode(SHA256.hash(data: data)) }
}
