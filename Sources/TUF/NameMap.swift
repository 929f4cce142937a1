/// A map from names (key ids, role names, target paths, metadata file names) to values, with
/// names matched scalar by scalar. A Swift `Dictionary<String, _>` would merge names that differ
/// only in Unicode normalization, which every other TUF implementation keeps apart: a target
/// could then be looked up under a name its metadata does not list.
public struct NameMap<Value: Sendable>: Sendable {
    public struct Entry: Sendable {
        public let name: String
        public let value: Value
    }

    /// Sorted by the UTF-8 bytes of the name, no name twice.
    public let entries: [Entry]

    /// From an object's members, which are already sorted and unique.
    init(_ object: JSONObject, _ transform: (JSONObject.Member) throws(TUFError) -> Value) throws(TUFError) {
        var entries: [Entry] = []
        entries.reserveCapacity(object.count)
        for member in object.members { entries.append(Entry(name: member.key, value: try transform(member))) }
        self.entries = entries
    }

    public var names: [String] { entries.map(\.name) }
    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    public subscript(name: String) -> Value? {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].name.utf8.lexicographicallyPrecedes(name.utf8) { low = middle + 1 } else { high = middle }
        }
        guard low < entries.count, entries[low].name.utf8.elementsEqual(name.utf8) else { return nil }
        return entries[low].value
    }
}
