import Yams

/// A coding key for any name: the keys a mapping holds, known to the reading type or not.
package struct AnyCodingKey: CodingKey, Sendable {
    package let stringValue: String
    package let intValue: Int?

    package init(stringValue: String) {
        self.stringValue = stringValue
        intValue = nil
    }

    package init(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }

    package init(stringValue: String, intValue: Int) {
        self.stringValue = stringValue
        self.intValue = intValue
    }
}

/// Fails on the first key (in name order) of the decoder's mapping that `Keys` does not name.
///
/// Codable skips keys a type does not know, so a misspelt optional setting (`adress:` for
/// `address:`) would vanish without a word and leave its default in force: a kiosk configured for
/// a network printer would print to the simulator and report every badge printed. Every type read
/// from a file a person writes calls this before anything else. The error is at the key's path
/// and names the closest known key when one is close.
package func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(in decoder: any Decoder, known: Keys.Type) throws {
    try rejectUnknownKeys(in: decoder, knownNames: Keys.allCases.map(\.stringValue))
}

/// The same for a mapping whose keys come from more than one type (a template element: the keys
/// every element has, and those of its kind).
package func rejectUnknownKeys(in decoder: any Decoder, knownNames names: [String]) throws {
    let container = try decoder.container(keyedBy: AnyCodingKey.self)
    let knownNames = Set(names)
    for key in container.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) where !knownNames.contains(key.stringValue) {
        var message = "unknown setting"
        if let closest = closestKey(to: key.stringValue, among: names) { message += "; did you mean '\(closest)'?" }
        message += " (known here: \(names.joined(separator: ", ")))"
        throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: decoder.codingPath + [key], debugDescription: message))
    }
}

/// The known key a misspelling most likely meant: the same up to case and `-` for `_`, or within
/// a few edits (one for a short key, a third of its length for a longer one). Nil when none is.
package func closestKey(to name: String, among candidates: [String]) -> String? {
    func normalized(_ text: String) -> [Character] { text.lowercased().map { $0 == "-" ? "_" : $0 } }
    let wanted = normalized(name)
    let limit = max(1, wanted.count / 3)
    var best: (name: String, distance: Int)?
    for candidate in candidates {
        let distance = editDistance(wanted, normalized(candidate))
        if distance <= limit, distance < (best?.distance ?? .max) { best = (candidate, distance) }
    }
    return best?.name
}

/// Edits between two keys: insertions, deletions, substitutions, and two neighbours swapped
/// (`feild` for `field`), each counting one (optimal string alignment).
private func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { table[i][0] = i }
    for j in 0...b.count { table[0][j] = j }
    for i in 1...a.count {
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
            }
        }
    }
    return table[a.count][b.count]
}

/// What a mismatched value should have been, in the words of the person who wrote the file
/// ("a whole number"), not the decoder's ("Expected to decode Int but found Scalar instead.").
package func expectedValueName(_ type: Any.Type) -> String {
    switch type {
    case is Int.Type, is Int64.Type, is UInt16.Type: "a whole number"
    case is Double.Type: "a number"
    case is String.Type: "text"
    case is Bool.Type: "true or false"
    case is [Any].Type, is [String].Type, is Node.Sequence.Type: "a list"
    case is Node.Mapping.Type: "a mapping"
    // The decoder met a list or a mapping where one value belongs.
    case is Node.Scalar.Type: "a single value"
    default: "\(type)".hasPrefix("Dictionary") ? "a mapping of names to values" : "a mapping"
    }
}

/// Renders a coding path the way a person reads a YAML file: `usb.product_ids[1]`.
package func renderCodingPath(_ path: [any CodingKey]) -> String {
    var text = ""
    for key in path {
        if let index = key.intValue, key.stringValue.hasPrefix("Index ") {
            text += "[\(index)]"
        } else {
            if !text.isEmpty { text += "." }
            text += key.stringValue
        }
    }
    return text
}

extension DecodingError {
    /// Where the problem is, as a person reads the file (`printer.address`, `elements[1].box`);
    /// empty for the document itself.
    package var settingPath: String {
        switch self {
        case .keyNotFound(let key, let context): renderCodingPath(context.codingPath + [key])
        case .dataCorrupted(let context), .typeMismatch(_, let context), .valueNotFound(_, let context):
            renderCodingPath(context.codingPath)
        @unknown default: ""
        }
    }

    /// What is wrong at the error's place, in plain words: the unknown-key message as written,
    /// the expected kind of value for a mismatch, the parser's line and column for bad YAML.
    package var plainReason: String {
        switch self {
        case .typeMismatch(let type, _): "expected \(expectedValueName(type))"
        case .valueNotFound(let type, _): "is empty; expected \(expectedValueName(type))"
        case .keyNotFound(let key, _): "'\(key.stringValue)' is required"
        case .dataCorrupted(let context):
            context.underlyingError.map { "\(context.debugDescription) \($0)" } ?? context.debugDescription
        @unknown default: "\(self)"
        }
    }
}
