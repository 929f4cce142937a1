/// Where each file lives in a repository, relative to its base URL or directory. Everything but
/// `timestamp.json` is written once and never changed, so any web server or CDN can cache it
/// forever; `timestamp.json` is the one file that moves.
public enum RepositoryLayout {
    public static let timestamp = "timestamp.json"

    public static func root(version: Int) -> String { "root/\(version).json" }
    public static func targets(version: Int) -> String { "targets/\(version).json" }
    public static func blob(sha256: String) -> String { "blobs/sha256/\(sha256)" }

    /// Upper bounds for metadata whose length nothing signed gives: the timestamp and roots.
    /// A root with a hundred keys is about 20 kB; a timestamp well under 1 kB.
    public static let maximumRootLength = 512 * 1024
    public static let maximumTimestampLength = 64 * 1024
}
