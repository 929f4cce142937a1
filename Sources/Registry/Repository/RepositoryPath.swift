import Sync

/// The files a repository may contain, and nothing else (docs/registry-protocol.md):
/// - TUF metadata: `metadata/timestamp.json` and `metadata/N.ROLE.json` (the role name as the
///   writer percent-encodes it);
/// - TUF target files: `targets/.../SHA256.NAME`, their consistent-snapshot names;
/// - the first format's files, which stay while the fleet moves: `timestamp.json`, `root/N.json`
///   (the chain an upgraded kiosk follows to the TUF root), `targets/N.json` and
///   `blobs/sha256/<64 hex>`.
///
/// Matching the request path against these shapes (not resolving it against the directory) is
/// what keeps `..`, absolute paths, encoded separators, hidden files (the publish lock, a
/// half-written temporary file) and anything an operator left in the directory (a key!) from
/// ever being served.
enum RepositoryPath {
    static let legacyTimestamp = "timestamp.json"
    /// More parts than any Lanyard target has (`UNIT/RELEASE` and at most four parts of a path).
    static let maximumTargetDepth = 16

    /// The relative path if `path` names a repository file, else nil.
    static func validate(_ path: String) -> String? {
        if path == RepositoryLayout.timestamp || path == legacyTimestamp { return path }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 2 where parts[0] == Substring(RepositoryLayout.metadataDirectory) && isMetadataFile(parts[1]):
            return path
        case 2 where (parts[0] == "root" || parts[0] == "targets") && isVersionFile(parts[1]):
            return path
        case 3 where parts[0] == "blobs" && parts[1] == "sha256" && isSHA256(parts[2]):
            return path
        case 2...(maximumTargetDepth + 1) where parts[0] == Substring(RepositoryLayout.targetsDirectory) && isTargetFile(parts.dropFirst()):
            return path
        default:
            return nil
        }
    }

    /// True for the files that change (the timestamps); everything else is written once.
    static func isMutable(_ relative: String) -> Bool { relative == RepositoryLayout.timestamp || relative == legacyTimestamp }

    private static func isVersionFile(_ name: Substring) -> Bool {
        guard name.hasSuffix(".json") else { return false }
        return isVersion(name.dropLast(5))
    }

    private static func isVersion(_ text: Substring) -> Bool {
        let digits = text.utf8
        return !digits.isEmpty && digits.count <= 18 && digits.first != UInt8(ascii: "0")
            && digits.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// `N.ROLE.json`: a version, then a role name as the writer encodes it (letters, digits,
    /// `-._~` and `%XX`).
    private static func isMetadataFile(_ name: Substring) -> Bool {
        guard name.hasSuffix(".json"), let dot = name.firstIndex(of: ".") else { return false }
        let role = name[name.index(after: dot)...].dropLast(5)
        return isVersion(name[..<dot]) && !role.isEmpty
            && role.utf8.allSatisfy { byte in
                isAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
                    || byte == UInt8(ascii: "~") || byte == UInt8(ascii: "%")
            }
    }

    /// Plain parts (none empty, hidden, `..` or with a backslash), the last `SHA256.NAME`.
    private static func isTargetFile(_ parts: ArraySlice<Substring>) -> Bool {
        guard let last = parts.last, last.utf8.count > 65, isSHA256(last.prefix(64)), last.dropFirst(64).first == "." else {
            return false
        }
        return parts.allSatisfy { part in
            !part.isEmpty && !part.hasPrefix(".") && !part.utf8.contains(0) && !part.contains("\\")
        }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    private static func isSHA256(_ name: Substring) -> Bool {
        name.utf8.count == 64
            && name.utf8.allSatisfy {
                ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f"))
            }
    }
}
