public import Foundation
public import LanyardSupport

/// The client's trusted metadata on disk, one file per role under its unversioned name
/// (`root.json`, `timestamp.json`, `snapshot.json`, `ROLE.json` with the role name
/// percent-encoded, so no name can leave the directory). Each file holds the exact bytes that
/// were verified, replaced atomically, and is verified again whenever it is read back.
public struct MetadataDirectory: Sendable {
    public let url: URL

    public init(_ url: URL) { self.url = url }

    /// The file name a role's metadata is kept under.
    public static func fileName(role: String) -> String { percentEncoded(role) + ".json" }

    /// The stored bytes, or nil when there are none (or they cannot be read: either way there is
    /// nothing to trust).
    public func read(role: String) -> Data? {
        try? Data(contentsOf: url.appending(path: Self.fileName(role: role)))
    }

    public func write(_ data: Data, role: String) throws(TUFError) {
        try writeAtomically(data, to: url.appending(path: Self.fileName(role: role)))
    }

    /// Deletes a role's stored metadata, when there is any.
    public func remove(role: String) throws(TUFError) {
        let file = url.appending(path: Self.fileName(role: role))
        do {
            if FileManager.default.fileExists(atPath: file.path) { try FileManager.default.removeItem(at: file) }
        } catch {
            throw TUFError(.storageFailed, "cannot delete the file", context: file.path, underlying: error)
        }
    }

    /// The first trusted root, as it was given: checked only when an update starts from it.
    public func initialize(trustedRoot: Data) throws(TUFError) { try write(trustedRoot, role: "root") }
}

/// Writes through a temporary file in the same directory and a rename, creating the directory
/// when missing: a reader sees the old file or the new one, never a torn one.
func writeAtomically(_ data: Data, to file: URL) throws(TUFError) {
    do {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: file, options: .atomic)
    } catch {
        throw TUFError(.storageFailed, "cannot write the file", context: file.path, underlying: error)
    }
}

/// Every byte outside `A-Z a-z 0-9 _ . - ~` as `%XX`, as Python's `urllib.parse.quote(name, "")`
/// writes role names into URLs and file names.
func percentEncoded(_ name: String, keeping extra: Set<UInt8> = []) -> String {
    let hex = Array("0123456789ABCDEF".utf8)
    var output: [UInt8] = []
    for byte in name.utf8 {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "~"):
            output.append(byte)
        case _ where extra.contains(byte):
            output.append(byte)
        default:
            output += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
        }
    }
    return String(decoding: output, as: UTF8.self)
}
