/// Where each file lives in a repository, relative to its base URL or directory: TUF metadata
/// under `metadata/` (`N.root.json`, `timestamp.json`, `N.snapshot.json`, `N.targets.json`,
/// `N.ROLE.json`) and target files under `targets/` by their consistent-snapshot names
/// (`UNIT/RELEASE/DIR/SHA256.NAME`). Everything but `metadata/timestamp.json` is written once
/// and never changed, so any web server or CDN can cache it forever.
public enum RepositoryLayout {
    public static let metadataDirectory = "metadata"
    public static let targetsDirectory = "targets"
    public static let timestamp = "metadata/timestamp.json"

    public static func root(version: Int64) -> String { "metadata/\(version).root.json" }

    /// The consistent-snapshot name of a target's file: its directory, then `SHA256.NAME`.
    public static func target(_ path: String, sha256: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "targets/\(sha256).\(path)" }
        return "targets/\(path[...slash])\(sha256).\(path[path.index(after: slash)...])"
    }
}
