import Foundation
public import Logging
import YAMLReading
import Yams

/// The validated printer profiles of one directory, looked up by id.
public struct ProfileLibrary: Sendable, Equatable {
    public let profiles: [String: PrinterProfile]

    public init(profiles: [PrinterProfile]) throws(ProfileError) {
        var byId: [String: PrinterProfile] = [:]
        var problems: [ProfileError.Problem] = []
        for profile in profiles {
            if byId[profile.id] != nil {
                problems.append(.init(file: profile.id, fieldPath: "id", message: "\"\(profile.id)\" is declared twice"))
            }
            byId[profile.id] = profile
        }
        guard problems.isEmpty else { throw ProfileError(code: .duplicateId, problems: problems) }
        self.profiles = byId
    }

    /// Profile ids in sorted order.
    public var ids: [String] { profiles.keys.sorted() }

    public func profile(id: String) -> PrinterProfile? { profiles[id] }

    /// The profile with `id`, or an error naming the ids that exist.
    public func require(id: String) throws(ProfileError) -> PrinterProfile {
        guard let profile = profiles[id] else {
            let known = ids.joined(separator: ", ")
            throw ProfileError(
                code: .notFound,
                problems: [.init(file: id, fieldPath: nil, message: "no profile with this id; known: \(known)")]
            )
        }
        return profile
    }

    /// Profiles whose USB identity matches a connected device, best match first: vendor and
    /// product id and model string, then vendor and model string, then vendor and product id.
    public func candidates(vendorId: UInt16, productId: UInt16?, deviceIdModel: String?) -> [PrinterProfile] {
        var scored: [(score: Int, profile: PrinterProfile)] = []
        for profile in profiles.values {
            guard let usb = profile.usb, usb.vendorId == vendorId else { continue }
            let productMatch = productId.map { usb.productIds.contains($0) } ?? false
            let modelMatch = deviceIdModel.map { usb.matchesModel($0) } ?? false
            let score = (modelMatch ? 2 : 0) + (productMatch ? 1 : 0)
            if score > 0 { scored.append((score, profile)) }
        }
        return scored.sorted { $0.score != $1.score ? $0.score > $1.score : $0.profile.id < $1.profile.id }
            .map(\.profile)
    }

    /// The profile for a network printer from its `~HI` answer: the model it states must contain
    /// one of the profile's `usb.device_id_model_patterns` (a printer states the same model in
    /// `~HI` as in its USB device ID) and its resolution must be the profile's dpi. Among several,
    /// the one with the longest matching pattern wins, being the most specific; equally long
    /// patterns go to the lowest profile id, so the choice never depends on the order of loading.
    /// Nil when no profile matches.
    public func match(identification: PrinterIdentification) -> PrinterProfile? {
        let matching = profiles.values.compactMap { profile -> (length: Int, profile: PrinterProfile)? in
            guard profile.dpi == identification.dpi, let pattern = profile.usb?.longestPattern(matching: identification.model) else {
                return nil
            }
            return (pattern.count, profile)
        }
        return matching.min { $0.length != $1.length ? $0.length > $1.length : $0.profile.id < $1.profile.id }?.profile
    }

    /// Loads and validates every `*.yaml` / `*.yml` file of a directory. Every problem in every
    /// file is collected before failing.
    public static func load(directory: String, logger: Logger? = nil) throws(ProfileError) -> ProfileLibrary {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw ProfileError(
                code: .unreadable,
                problems: [.init(file: directory, fieldPath: nil, message: "cannot list the directory", cause: "\(error)")]
            )
        }
        let files = names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        guard !files.isEmpty else {
            throw ProfileError(
                code: .empty,
                problems: [.init(file: directory, fieldPath: nil, message: "holds no profile files (*.yaml, *.yml)")]
            )
        }
        var loaded: [PrinterProfile] = []
        var problems: [ProfileError.Problem] = []
        var worstCode = ProfileError.Code.invalid
        var firstFileById: [String: String] = [:]
        for name in files {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            do {
                let profile = try load(file: path)
                if let earlier = firstFileById[profile.id] {
                    worstCode = .duplicateId
                    problems.append(.init(file: path, fieldPath: "id", message: "\"\(profile.id)\" is also declared by \(earlier)"))
                    continue
                }
                firstFileById[profile.id] = path
                loaded.append(profile)
                logger?.debug("loaded printer profile", metadata: ["profile": "\(profile.id)", "file": "\(path)"])
            } catch {
                if error.code == .unreadable { worstCode = .unreadable }
                problems.append(contentsOf: error.problems)
            }
        }
        guard problems.isEmpty else { throw ProfileError(code: worstCode, problems: problems) }
        logger?.info("printer profiles loaded", metadata: ["count": "\(loaded.count)", "directory": "\(directory)"])
        return try ProfileLibrary(profiles: loaded)
    }

    /// Loads and validates one profile file; the file stem must equal the profile's id.
    public static func load(file path: String) throws(ProfileError) -> PrinterProfile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ProfileError(
                code: .unreadable,
                problems: [.init(file: path, fieldPath: nil, message: "cannot read the file as UTF-8", cause: "\(error)")]
            )
        }
        let profile = try decode(yaml: text, file: path)
        let problems = profile.validationProblems(fileStem: fileStem(of: path))
        guard problems.isEmpty else {
            throw ProfileError(
                code: .invalid,
                problems: problems.map { .init(file: path, fieldPath: $0.fieldPath, message: $0.message) }
            )
        }
        return profile
    }

    /// Decodes profile YAML without validating it; `file` only labels errors.
    public static func decode(yaml: String, file: String) throws(ProfileError) -> PrinterProfile {
        do {
            return try YAMLReader.decode(PrinterProfile.self, from: yaml)
        } catch let error as DecodingError {
            throw ProfileError(code: .invalid, problems: [problem(from: error, file: file)])
        } catch let error as YamlError {
            throw ProfileError(
                code: .invalid,
                problems: [.init(file: file, fieldPath: nil, message: "is not valid YAML", cause: yamlSummary(error))]
            )
        } catch {
            throw ProfileError(
                code: .invalid,
                problems: [.init(file: file, fieldPath: nil, message: "cannot be decoded", cause: "\(error)")]
            )
        }
    }

    static func fileStem(of path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }

    static func problem(from error: DecodingError, file: String) -> ProfileError.Problem {
        switch error {
        case let .keyNotFound(key, context):
            let path = renderCodingPath(context.codingPath + [key])
            return .init(file: file, fieldPath: path, message: "is required but missing")
        case let .typeMismatch(type, context):
            let path = renderCodingPath(context.codingPath)
            return .init(
                file: file, fieldPath: path.isEmpty ? nil : path,
                message: "has the wrong type; expected \(describe(type))", cause: context.debugDescription
            )
        case let .valueNotFound(type, context):
            let path = renderCodingPath(context.codingPath)
            return .init(
                file: file, fieldPath: path.isEmpty ? nil : path,
                message: "is empty; expected \(describe(type))"
            )
        case let .dataCorrupted(context):
            let path = renderCodingPath(context.codingPath)
            if path.isEmpty {
                let cause = context.underlyingError.map { yamlSummaryIfYAML($0) } ?? context.debugDescription
                return .init(file: file, fieldPath: nil, message: "is not a profile mapping", cause: cause)
            }
            return .init(file: file, fieldPath: path, message: context.debugDescription)
        @unknown default:
            return .init(file: file, fieldPath: nil, message: "cannot be decoded", cause: "\(error)")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        expectedValueName(type)
    }

    private static func yamlSummaryIfYAML(_ error: any Error) -> String {
        (error as? YamlError).map(yamlSummary) ?? "\(error)"
    }

    /// The first line of a Yams error: position and problem, without the echoed snippet.
    private static func yamlSummary(_ error: YamlError) -> String {
        String("\(error)".split(separator: "\n", maxSplits: 1).first ?? "")
    }
}
