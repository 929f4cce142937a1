public import LanyardSupport

/// Hash-bin delegation: targets spread over `count` delegated roles by the SHA-256 of their path,
/// so a client fetches the metadata of the one bin a path falls in instead of one file listing
/// every target. Each bin is a plain delegated role with `path_hash_prefixes` (specification 1.0
/// section 2.1.2), not a TAP 15 succinct delegation: python-tuf 6 reads both, but succinct roles
/// are not in the specification, other clients (and this module's parser) do not read them, and
/// the cost of listing the bins, some 150 bytes each in the delegating role, is small.
///
/// `count` is a power of two from 2 to 65,536. The prefixes have the fewest hex digits that give
/// every bin at least one (`prefixLength`: 1 for up to 16 bins, 2 for up to 256, ...), and bin
/// `i` takes the `16^prefixLength / count` consecutive prefixes from `i * that`. A bin is named
/// `NAMEPREFIX-LOW-HIGH` by its first and last prefix, or `NAMEPREFIX-LOW` when it has one.
public struct HashBins: Sendable {
    public let namePrefix: String
    public let count: Int
    public let prefixLength: Int

    public init(namePrefix: String, count: Int) throws(TUFError) {
        guard count >= 2, count <= 65_536, count & (count - 1) == 0 else {
            throw TUFError(.metadataInvalid, "the number of hash bins must be a power of two from 2 to 65536, not \(count)")
        }
        self.namePrefix = namePrefix
        self.count = count
        var length = 1
        while 1 << (4 * length) < count { length += 1 }
        prefixLength = length
    }

    /// How many prefixes each bin takes.
    var prefixesPerBin: Int { (1 << (4 * prefixLength)) / count }

    func prefix(_ value: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: prefixLength - digits.count) + digits
    }

    /// The prefixes of bin `index`, lowest first.
    public func prefixes(ofBin index: Int) -> [String] {
        (index * prefixesPerBin..<(index + 1) * prefixesPerBin).map(prefix)
    }

    public func roleName(ofBin index: Int) -> String {
        let low = prefix(index * prefixesPerBin)
        guard prefixesPerBin > 1 else { return "\(namePrefix)-\(low)" }
        return "\(namePrefix)-\(low)-\(prefix((index + 1) * prefixesPerBin - 1))"
    }

    public var roleNames: [String] { (0..<count).map(roleName(ofBin:)) }

    /// The bin a target path falls in: the first `prefixLength` hex digits of the SHA-256 of its
    /// UTF-8 bytes, as a client matches `path_hash_prefixes`.
    public func bin(of targetPath: String) -> Int {
        let digest = Array(sha256(Array(targetPath.utf8)))
        var value = 0
        for nibble in 0..<prefixLength {
            let byte = Int(digest[nibble / 2])
            value = value << 4 | (nibble % 2 == 0 ? byte >> 4 : byte & 0x0F)
        }
        return value / prefixesPerBin
    }

    public func roleName(of targetPath: String) -> String { roleName(ofBin: bin(of: targetPath)) }

    /// The delegated roles, one per bin in bin order, all with the same keys. Terminating by
    /// default: a path falls in exactly one bin, so a target missing there is missing.
    public func delegatedRoles(keyids: [String], threshold: Int64 = 1, terminating: Bool = true) throws(TUFError) -> [DelegatedRole] {
        var roles: [DelegatedRole] = []
        for index in 0..<count {
            roles.append(
                try DelegatedRole(
                    name: roleName(ofBin: index), keyids: keyids, threshold: threshold, terminating: terminating,
                    paths: .hashPrefixes(prefixes(ofBin: index))))
        }
        return roles
    }
}
