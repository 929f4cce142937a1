import Foundation
package import Yams

/// Decodes and composes YAML with exactly the results of Yams' `YAMLDecoder` and
/// `Yams.compose(yaml:)` but without their regular expressions. Yams resolves mapping keys with
/// `NSRegularExpression` (`compose` with its whole default rule set, `YAMLDecoder` to spot merge
/// keys, `<<`), and `YAMLDecoder`'s keyed containers build nodes whose default tag compiles
/// that rule set; each of those loads ICU, megabytes of resident memory in an agent that
/// otherwise never needs it. Badges (templates, event configurations), Printers (profiles,
/// configured printers) and the agent's configuration all read YAML through it.
///
/// A document parsed with `Resolver.basic` reads the same as with Yams' resolver whenever no key
/// is one that resolver would read otherwise (`<<` for decoding; for composing, plain text it
/// would tag as something other than a string), no node has an anchor, no key is tagged or not
/// a scalar and no mapping is tagged: only keys (and the key names looked up) are ever resolved
/// on these paths. Such a document is decoded here by `YAMLNodeDecoder`, which follows
/// `YAMLDecoder`'s rules; any other document (or one whose keys collide) goes to Yams itself,
/// so both give one answer for every input.
package enum YAMLReader {
    /// What `YAMLDecoder().decode(type, from: text)` returns or throws.
    package static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        do {
            let parser = try Parser(yaml: text, resolver: .basic)
            return try withExtendedLifetime(parser) {
                let root = try parser.singleRoot() ?? emptyDocument
                guard hasOnlyPlainStructure(root, ordinaryKey: decodingKeepsKey) else {
                    return try YAMLDecoder().decode(type, from: text)
                }
                return try YAMLNodeDecoder(node: root, codingPath: []).decode(type)
            }
        } catch let error as YamlError where error.isDuplicatedKeys {
            return try YAMLDecoder().decode(type, from: text)
        } catch let error as DecodingError {
            throw error
        } catch {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: [], debugDescription: "The given data was not valid YAML.", underlyingError: error))
        }
    }

    /// What `Yams.compose(yaml: text)` returns or throws, for readers that take scalars through
    /// `string`, `bool`, `null`, `int` or `float` (never `tag` or `any`, which would resolve
    /// values with the resolver the tree was parsed with).
    package static func compose(_ text: String) throws -> Node? {
        do {
            let parser = try Parser(yaml: text, resolver: .basic)
            return try withExtendedLifetime(parser) {
                guard let root = try parser.singleRoot() else { return nil }
                guard hasOnlyPlainStructure(root, ordinaryKey: composingKeepsKey) else {
                    return try Yams.compose(yaml: text)
                }
                return root
            }
        } catch let error as YamlError where error.isDuplicatedKeys {
            return try Yams.compose(yaml: text)
        }
    }

    /// `Yams.compose` resolves only the keys of a document (to tell duplicates apart), and only
    /// plain ones: a quoted key is a string to every resolver.
    static func composingKeepsKey(_ key: Node.Scalar) -> Bool {
        key.style != .plain || defaultResolverKeepsString(key.string)
    }

    /// False for any plain text that Yams' default resolver might tag as a bool, int, float,
    /// null, timestamp, merge or value; it errs towards false (the caller then asks Yams).
    static func defaultResolverKeepsString(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first else { return false }
        switch first {
        case "0"..."9", "+", "-", ".", "~", "<", "=": return false
        default: return !resolvedWords.contains(text)
        }
    }

    private static var resolvedWords: Set<String> {
        [
            "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
            "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL",
        ]
    }

    /// `YAMLDecoder` resolves both the keys of a document and the key names it looks up with its
    /// merge rule, so a key spelt `<<`, plain (a merge) or quoted (never found by name), reads
    /// differently with the basic resolver; every other key reads the same.
    static func decodingKeepsKey(_ key: Node.Scalar) -> Bool { key.string != "<<" }

    /// Whether `text` decodes on the regex-free path, for tests of the shipped files.
    static func decodesWithoutRegex(_ text: String) -> Bool {
        takesRegexFreePath(text, ordinaryKey: decodingKeepsKey)
    }

    /// Whether `text` composes on the regex-free path, for tests of the shipped files.
    static func composesWithoutRegex(_ text: String) -> Bool {
        takesRegexFreePath(text, ordinaryKey: composingKeepsKey)
    }

    private static func takesRegexFreePath(_ text: String, ordinaryKey: (Node.Scalar) -> Bool) -> Bool {
        guard let parser = try? Parser(yaml: text, resolver: .basic) else { return false }
        return withExtendedLifetime(parser) {
            guard let root = try? parser.singleRoot() else { return false }
            return hasOnlyPlainStructure(root, ordinaryKey: ordinaryKey)
        }
    }

    /// The node `YAMLDecoder` decodes an empty document as: an empty scalar, given a basic tag
    /// here because `Node("")` would build Yams' default resolver.
    private static var emptyDocument: Node {
        .scalar(Node.Scalar("", Tag(.implicit, .basic, .default)))
    }

    /// True when no resolver but the basic one could change how the tree reads: no anchors, no
    /// tagged mappings, and keys that are untagged scalars the caller's rule accepts. Must run
    /// while the parser is alive (anchors are weak).
    static func hasOnlyPlainStructure(_ node: Node, ordinaryKey: (Node.Scalar) -> Bool) -> Bool {
        guard node.anchor == nil else { return false }
        switch node {
        case .scalar:
            return true
        case .alias:
            return false
        case .sequence(let sequence):
            return sequence.allSatisfy { hasOnlyPlainStructure($0, ordinaryKey: ordinaryKey) }
        case .mapping(let mapping):
            guard mapping.tag.rawValue == Tag.Name.implicit.rawValue else { return false }
            for (key, value) in mapping {
                guard case .scalar(let scalar) = key, scalar.anchor == nil,
                    scalar.tag.rawValue == Tag.Name.implicit.rawValue || scalar.tag.rawValue == Tag.Name.str.rawValue,
                    ordinaryKey(scalar),
                    hasOnlyPlainStructure(value, ordinaryKey: ordinaryKey)
                else { return false }
            }
            return true
        }
    }
}

extension YamlError {
    var isDuplicatedKeys: Bool {
        if case .duplicatedKeysInMapping = self { return true }
        return false
    }
}

/// `YAMLDecoder`'s decoding rules over a node tree, for the trees `YAMLReader` accepts (no
/// anchors, merge keys or tagged mappings, so none of `YAMLDecoder`'s anchor and tag handling
/// applies). Its errors carry the same types, paths and text as `YAMLDecoder`'s.
struct YAMLNodeDecoder: Decoder, SingleValueDecodingContainer {
    let node: Node
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .mapping(let mapping) = node else {
            throw Self.typeMismatch(at: codingPath, expectation: Node.Mapping.self, reality: node)
        }
        return KeyedDecodingContainer(YAMLKeyedContainer<Key>(decoder: self, mapping: mapping))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .sequence(let sequence) = node else {
            throw Self.typeMismatch(at: codingPath, expectation: Node.Sequence.self, reality: node)
        }
        return YAMLUnkeyedContainer(decoder: self, sequence: sequence)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { node.null != nil }

    /// Scalar types Yams knows (strings, numbers, booleans, URLs...) are built from the scalar
    /// by their `ScalarConstructible` rule, everything else by its own `init(from:)`.
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        guard let constructible = type as? any ScalarConstructible.Type else {
            return try T(from: self)
        }
        let scalar: Node.Scalar
        switch node {
        case .scalar(let value): scalar = value
        case .mapping(let mapping): throw Self.typeMismatch(at: codingPath, expectation: Node.Scalar.self, reality: mapping)
        case .sequence(let sequence): throw Self.typeMismatch(at: codingPath, expectation: Node.Scalar.self, reality: sequence)
        case .alias(let alias): throw Self.typeMismatch(at: codingPath, expectation: Node.Scalar.self, reality: alias)
        }
        guard let constructed = constructible.construct(from: scalar) else {
            throw Self.typeMismatch(at: codingPath, expectation: type, reality: scalar)
        }
        guard let value = constructed as? T else {
            throw Self.typeMismatch(at: codingPath, expectation: type, reality: constructed)
        }
        return value
    }

    func child(_ node: Node, at key: any CodingKey) -> YAMLNodeDecoder {
        YAMLNodeDecoder(node: node, codingPath: codingPath + [key])
    }

    static func typeMismatch(at codingPath: [any CodingKey], expectation: Any.Type, reality: Any) -> DecodingError {
        .typeMismatch(
            expectation,
            DecodingError.Context(
                codingPath: codingPath,
                debugDescription: "Expected to decode \(expectation) but found \(type(of: reality)) instead."))
    }
}

private struct YAMLKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: YAMLNodeDecoder
    let mapping: Node.Mapping

    /// The keys `YAMLDecoder` keeps out of `allKeys`, reserved for its anchor and tag coding.
    private static var reservedKeys: Set<String> { ["yamlAnchor", "yamlTag"] }

    var codingPath: [any CodingKey] { decoder.codingPath }

    var allKeys: [Key] {
        mapping.keys.compactMap { key in
            guard let name = key.string, !Self.reservedKeys.contains(name) else { return nil }
            return Key(stringValue: name)
        }
    }

    func contains(_ key: Key) -> Bool { mapping[key.stringValue] != nil }

    func decodeNil(forKey key: Key) throws -> Bool { try decoder(for: key).decodeNil() }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try decoder(for: key).decode(type) }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try decoder(for: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder(for: key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { try decoder(for: _YAMLCodingKey.super) }

    func superDecoder(forKey key: Key) throws -> any Decoder { try decoder(for: key) }

    private func decoder(for key: any CodingKey) throws -> YAMLNodeDecoder {
        guard let node = mapping[key.stringValue] else {
            throw DecodingError.keyNotFound(
                key,
                DecodingError.Context(
                    codingPath: codingPath, debugDescription: "No value associated with key \(key) (\"\(key.stringValue)\")."))
        }
        return decoder.child(node, at: key)
    }
}

private struct YAMLUnkeyedContainer: UnkeyedDecodingContainer {
    let decoder: YAMLNodeDecoder
    let sequence: Node.Sequence
    var currentIndex = 0

    init(decoder: YAMLNodeDecoder, sequence: Node.Sequence) {
        self.decoder = decoder
        self.sequence = sequence
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { sequence.count }
    var isAtEnd: Bool { currentIndex >= sequence.count }

    /// Moves past the element whether or not it is null, as `YAMLDecoder` does.
    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { throw atEnd(Any?.self) }
        return try next { $0.decodeNil() }
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next { try $0.decode(type) } }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try next { try $0.container(keyedBy: type) }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try next { try $0.unkeyedContainer() }
    }

    mutating func superDecoder() throws -> any Decoder { try next { $0 as any Decoder } }

    private mutating func next<T>(_ body: (YAMLNodeDecoder) throws -> T) throws -> T {
        guard !isAtEnd else { throw atEnd(T.self) }
        let value = try body(decoder.child(sequence[currentIndex], at: _YAMLCodingKey(index: currentIndex)))
        currentIndex += 1
        return value
    }

    private func atEnd(_ type: Any.Type) -> DecodingError {
        .valueNotFound(
            type,
            DecodingError.Context(
                codingPath: codingPath + [_YAMLCodingKey(index: currentIndex)], debugDescription: "Unkeyed container is at end."))
    }
}

/// Named like Yams' own key type so that the text of a decoding error, which prints the key's
/// type, reads the same on both paths.
private struct _YAMLCodingKey: CodingKey {
    let stringValue: String
    let intValue: Int?

    init?(stringValue: String) {
        self.stringValue = stringValue
        self.intValue = nil
    }

    init?(intValue: Int) {
        self.stringValue = "\(intValue)"
        self.intValue = intValue
    }

    init(index: Int) {
        self.stringValue = "Index \(index)"
        self.intValue = index
    }

    static let `super` = _YAMLCodingKey(stringValue: "super")!
}
