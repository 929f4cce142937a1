import Crypto
public import Foundation

/// The manifest of a template bundle: the SHA-256 of every file and one digest over them all, so a
/// kiosk can tell that what it renders is exactly what was published. `manifest.json` is not listed
/// in itself.
public struct BundleManifest: Sendable, Equatable, Codable {
    public static let fileName = "manifest.json"
    public static let formatMarker = "lanyard-bundle/1"

    public var format: String
    /// Relative path (with `/`) -> lowercase hex SHA-256.
    public var files: [String: String]
    public var digest: String

    public init(files: [String: String]) {
        self.format = Self.formatMarker
        self.files = files
        self.digest = Self.digest(of: files)
    }

    /// SHA-256 over lines `<sha256>  <path>\n` sorted by path: stable whatever order the files
    /// were listed or found in.
    public static func digest(of files: [String: String]) -> String {
        let canonical = files.keys.sorted().map { "\(files[$0]!)  \($0)\n" }.joined()
        return hex(SHA256.hash(data: Data(canonical.utf8)))
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }

    /// Hashes every regular file under `directory` except the manifest and hidden files.
    public static func scan(directory: URL) throws(BadgeError) -> BundleManifest {
        var files: [String: String] = [:]
        for relative in try listFiles(in: directory) {
            files[relative] = try sha256(of: directory.appending(path: relative), named: relative)
        }
        return BundleManifest(files: files)
    }

    /// Writes a fresh manifest for the bundle (used by `lanyard templates manifest`).
    @discardableResult
    public static func write(directory: URL) throws(BadgeError) -> BundleManifest {
        let manifest = try scan(directory: directory)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            let data = try encoder.encode(manifest)
            try (data + Data("\n".utf8)).write(to: directory.appending(path: fileName), options: .atomic)
        } catch {
            throw BadgeError(.io, "cannot write the manifest: \(error.localizedDescription)", location: directory.path)
        }
        return manifest
    }

    /// Reads the manifest and checks every file against it; extra files are refused too, so
    /// nothing unverified can sit in a bundle.
    public static func verify(directory: URL) throws(BadgeError) -> BundleManifest {
        let path = directory.appending(path: fileName)
        let data: Data
        do { data = try Data(contentsOf: path) } catch {
            throw BadgeError(
                .manifestMissing, "the bundle has no \(fileName); run 'lanyard templates manifest \(directory.lastPathComponent)'",
                location: path.path)
        }
        let manifest: BundleManifest
        do { manifest = try JSONDecoder().decode(BundleManifest.self, from: data) } catch {
            throw BadgeError(.manifestInvalid, "not a bundle manifest: \(error)", location: path.path)
        }
        guard manifest.format == formatMarker else {
            throw BadgeError(.manifestInvalid, "unsupported manifest format '\(manifest.format)'", location: path.path)
        }
        guard manifest.digest == digest(of: manifest.files) else {
            throw BadgeError(.checksumMismatch, "the bundle digest does not match the listed files", location: path.path)
        }
        let present = Set(try listFiles(in: directory))
        for extra in present.subtracting(manifest.files.keys).sorted() {
            throw BadgeError(
                .unlistedFile,
                "file is not listed in the manifest; if it belongs to the bundle, run "
                    + "'lanyard templates manifest \(directory.path)'", location: directory.appending(path: extra).path)
        }
        for (relative, expected) in manifest.files.sorted(by: { $0.key < $1.key }) {
            let url = directory.appending(path: relative)
            guard present.contains(relative) else {
                throw BadgeError(.assetMissing, "listed in the manifest but missing", location: url.path)
            }
            let actual = try sha256(of: url, named: relative)
            guard actual == expected else {
                throw BadgeError(
                    .checksumMismatch,
                    "SHA-256 is \(actual), the manifest says \(expected); if you edited the "
                        + "bundle on purpose, run 'lanyard templates manifest \(directory.path)' to list the new checksums",
                    location: url.path)
            }
        }
        return manifest
    }

    private static func sha256(of url: URL, named relative: String) throws(BadgeError) -> String {
        do {
            let data = try Data(contentsOf: url)
            return hex(SHA256.hash(data: data))
        } catch {
            throw BadgeError(.io, "cannot read \(relative): \(error.localizedDescription)", location: url.path)
        }
    }

    private static func listFiles(in directory: URL) throws(BadgeError) -> [String] {
        let root = directory.standardizedFileURL.path
        guard
            let enumerator = FileManager.default.enumerator(
                at: directory, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
        else {
            throw BadgeError(.io, "cannot list the bundle directory", location: directory.path)
        }
        var result: [String] = []
        for case let url as URL in enumerator {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            var relative = String(url.standardizedFileURL.path.dropFirst(root.count))
            while relative.hasPrefix("/") { relative.removeFirst() }
            if relative != fileName { result.append(relative) }
        }
        return result.sorted()
    }
}
