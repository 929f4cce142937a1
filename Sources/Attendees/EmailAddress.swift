/// Why an email address was refused.
public enum EmailProblem: String, Error, Sendable, Equatable, CaseIterable {
    case empty
    case missingAt
    case multipleAt
    case containsWhitespace
    case emptyLocalPart
    case domainWithoutDot
    case emptyDomainLabel

    public var reason: String {
        switch self {
        case .empty: "is empty"
        case .missingAt: "has no @"
        case .multipleAt: "has more than one @"
        case .containsWhitespace: "contains spaces"
        case .emptyLocalPart: "has nothing before the @"
        case .domainWithoutDot: "has a domain without a dot"
        case .emptyDomainLabel: "has an empty part in its domain (leading, trailing or doubled dot)"
        }
    }
}

/// A checked email address.
public struct NormalizedEmail: Sendable, Equatable {
    public var value: String
    /// True when the domain had upper-case letters that were lowered.
    public var domainRecased: Bool
}

/// Email shape checks, deliberately loose: badges only need an address that is plausibly
/// deliverable and comparable, not RFC 5322 conformance (quoted local parts are not seen in
/// registration exports, and rejecting them would turn away real people).
public enum EmailAddress {
    /// Expects text already passed through `TextNormalization.normalize`. Lower-cases the domain
    /// only: the local part is case-sensitive by the standard, and some mail hosts honour that.
    public static func normalize(_ text: String) -> Result<NormalizedEmail, EmailProblem> {
        if text.isEmpty { return .failure(.empty) }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        if parts.count < 2 { return .failure(.missingAt) }
        if parts.count > 2 { return .failure(.multipleAt) }
        if text.unicodeScalars.contains(where: { $0.properties.isWhitespace }) {
            return .failure(.containsWhitespace)
        }
        let local = parts[0]
        let domain = parts[1]
        if local.isEmpty { return .failure(.emptyLocalPart) }
        if !domain.contains(".") { return .failure(.domainWithoutDot) }
        if domain.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) {
            return .failure(.emptyDomainLabel)
        }
        let lowered = domain.lowercased()
        return .success(NormalizedEmail(value: "\(local)@\(lowered)", domainRecased: lowered != domain))
    }
}
