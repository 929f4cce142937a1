import Sync

/// The files a repository may contain, and nothing else: `timestamp.json`, `root/N.json`,
/// `targets/N.json` and `blobs/sha256/<64 hex>`. Matching the request path against these
/// shapes (not resolving it against the directory) is what keeps `..`, absolute paths,
/// encoded separators, hidden files and anything an operator left in the directory (a key!)
/// from ever being served.
enum RepositoryPath {
    /// The relative path if `path` names a repository file, else nil.
    static func validate(_ path: String) -> String? {
        if path == RepositoryLayout.timestamp { return path }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 2 where (parts[0] == "root" || parts[0] == "targets") && isVersionFile(parts[1]):
            return path
        case 3 where parts[0] == "blobs" && parts[1] == "sha256" && isSHA256(parts[2]):
            return path
        default:
            return nil
        }
    }

    /// True for the one file that changes; everything else is written once.
    static func isMutable(_ relative: String) -> Bool { relative == RepositoryLayout.timestamp }

    private static func isVersionFile(_ name: Substring) -> Bool {
        guard name.hasSuffix(".json") else { return false }
        let digits = name.dropLast(5).utf8
        return !digits.isEmpty && digits.count <= 18 && digits.first != UInt8(ascii: "0")
            && digits.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    private static func isSHA256(_ name: Substring) -> Bool {
        name.utf8.count == 64
            && name.utf8.allSatisfy {
                ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f"))
            }
    }
}
