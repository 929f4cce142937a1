/// One IPP message as RFC 8010 §3.1 lays it out: version, operation-id (request) or status-code
/// (response), request-id, attribute groups, end-of-attributes-tag, then the document data.
public struct IPPMessage: Sendable, Equatable {
    public var version: IPPVersion
    /// The operation-id of a request or the status-code of a response: the same two bytes.
    public var code: UInt16
    public var requestID: Int32
    public var groups: [IPPAttributeGroup]
    /// The bytes after the end-of-attributes-tag: the document of a Print-Job.
    public var data: [UInt8]

    public init(version: IPPVersion, code: UInt16, requestID: Int32, groups: [IPPAttributeGroup], data: [UInt8] = []) {
        self.version = version
        self.code = code
        self.requestID = requestID
        self.groups = groups
        self.data = data
    }

    /// A request: `operation` with its groups (the operation group first, RFC 8011 §4.1.1).
    public init(
        version: IPPVersion = .v2_0, operation: IPPOperation, requestID: Int32, groups: [IPPAttributeGroup], data: [UInt8] = []
    ) {
        self.init(version: version, code: operation.rawValue, requestID: requestID, groups: groups, data: data)
    }

    /// The code read as a response's status.
    public var status: IPPStatusCode { IPPStatusCode(rawValue: code) }

    /// The first group with `tag`.
    public func group(_ tag: IPPGroupTag) -> IPPAttributeGroup? { groups.first { $0.tag == tag } }

    /// Every group with `tag`: a Get-Jobs answer has one job group per job.
    public func groups(_ tag: IPPGroupTag) -> [IPPAttributeGroup] { groups.filter { $0.tag == tag } }
}

public struct IPPVersion: Sendable, Hashable, CustomStringConvertible {
    public var major: UInt8
    public var minor: UInt8

    public init(major: UInt8, minor: UInt8) {
        self.major = major
        self.minor = minor
    }

    /// What every IPP printer speaks (RFC 8011).
    public static let v1_1 = IPPVersion(major: 1, minor: 1)
    /// What IPP Everywhere printers speak (PWG 5100.14).
    public static let v2_0 = IPPVersion(major: 2, minor: 0)

    public var description: String { "\(major).\(minor)" }
}

/// A delimiter tag that opens an attribute group (RFC 8010 §3.5.1). A struct rather than an enum:
/// a printer may send a group tag registered after this code was written, and it is kept, not
/// refused.
public struct IPPGroupTag: RawRepresentable, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let operation = IPPGroupTag(rawValue: 0x01)
    public static let job = IPPGroupTag(rawValue: 0x02)
    public static let printer = IPPGroupTag(rawValue: 0x04)
    public static let unsupported = IPPGroupTag(rawValue: 0x05)
}

public struct IPPAttributeGroup: Sendable, Equatable {
    public var tag: IPPGroupTag
    public var attributes: [IPPAttribute]

    public init(_ tag: IPPGroupTag, _ attributes: [IPPAttribute]) {
        self.tag = tag
        self.attributes = attributes
    }

    /// The first attribute named `name`.
    public subscript(name: String) -> IPPAttribute? { attributes.first { $0.name == name } }
}

/// An attribute and its values: more than one for a 1setOf attribute.
public struct IPPAttribute: Sendable, Equatable {
    public var name: String
    public var values: [IPPValue]

    public init(_ name: String, _ values: [IPPValue]) {
        self.name = name
        self.values = values
    }

    public init(_ name: String, _ value: IPPValue) { self.init(name, [value]) }

    /// The first value, for attributes that have one.
    public var value: IPPValue? { values.first }
}

/// An attribute value, by its value tag (RFC 8010 §3.5.2).
public enum IPPValue: Sendable, Equatable {
    case integer(Int32)
    case boolean(Bool)
    case enumeration(Int32)
    case octetString([UInt8])
    case dateTime(IPPDateTime)
    case resolution(IPPResolution)
    case rangeOfInteger(IPPRange)
    case textWithLanguage(String, language: String)
    case nameWithLanguage(String, language: String)
    case text(String)
    case name(String)
    case keyword(String)
    case uri(String)
    case uriScheme(String)
    case charset(String)
    case naturalLanguage(String)
    case mimeMediaType(String)
    /// A collection's member attributes, in order (RFC 8010 §3.1.6).
    case collection([IPPAttribute])
    /// A value that stands for its absence: unsupported, unknown, no-value (RFC 8010 §3.5.2).
    case outOfBand(IPPOutOfBand)
    /// A value whose tag this code does not know, kept as its bytes. `tag` must be a value tag
    /// (0x10 or more): a delimiter tag here would end the group when encoded.
    case unknown(tag: UInt8, bytes: [UInt8])

    /// The text of any string-valued value, with or without a language.
    public var string: String? {
        switch self {
        case .textWithLanguage(let text, _), .nameWithLanguage(let text, _): text
        case .text(let text), .name(let text), .keyword(let text), .uri(let text), .uriScheme(let text), .charset(let text),
            .naturalLanguage(let text), .mimeMediaType(let text):
            text
        default: nil
        }
    }

    /// The number of an integer or enum value.
    public var integer: Int32? {
        switch self {
        case .integer(let number), .enumeration(let number): number
        default: nil
        }
    }

    public var boolean: Bool? {
        if case .boolean(let flag) = self { flag } else { nil }
    }
}

/// RFC 2579 DateAndTime, the 11 octets of an IPP dateTime, field by field as sent: a printer's
/// clock may be wrong, and decoding does not judge it.
public struct IPPDateTime: Sendable, Hashable {
    public var year: UInt16
    public var month: UInt8
    public var day: UInt8
    public var hour: UInt8
    public var minutes: UInt8
    public var seconds: UInt8
    public var deciseconds: UInt8
    /// `+` or `-` (0x2B or 0x2D).
    public var directionFromUTC: UInt8
    public var hoursFromUTC: UInt8
    public var minutesFromUTC: UInt8

    public init(
        year: UInt16, month: UInt8, day: UInt8, hour: UInt8, minutes: UInt8, seconds: UInt8, deciseconds: UInt8 = 0,
        directionFromUTC: UInt8 = 0x2B, hoursFromUTC: UInt8 = 0, minutesFromUTC: UInt8 = 0
    ) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minutes = minutes
        self.seconds = seconds
        self.deciseconds = deciseconds
        self.directionFromUTC = directionFromUTC
        self.hoursFromUTC = hoursFromUTC
        self.minutesFromUTC = minutesFromUTC
    }
}

public struct IPPResolution: Sendable, Hashable {
    public var crossFeed: Int32
    public var feed: Int32
    /// 3: dots per inch, 4: dots per centimeter.
    public var units: Int8

    public init(crossFeed: Int32, feed: Int32, units: Int8) {
        self.crossFeed = crossFeed
        self.feed = feed
        self.units = units
    }
}

/// A rangeOfInteger as sent: not a `ClosedRange`, which would trap on a printer's lower bound
/// above its upper one.
public struct IPPRange: Sendable, Hashable {
    public var lower: Int32
    public var upper: Int32

    public init(lower: Int32, upper: Int32) {
        self.lower = lower
        self.upper = upper
    }
}

/// An out-of-band value tag (0x10–0x1F), whose value is empty.
public struct IPPOutOfBand: RawRepresentable, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let unsupported = IPPOutOfBand(rawValue: 0x10)
    public static let unknown = IPPOutOfBand(rawValue: 0x12)
    public static let noValue = IPPOutOfBand(rawValue: 0x13)
    public static let notSettable = IPPOutOfBand(rawValue: 0x15)
    public static let deleteAttribute = IPPOutOfBand(rawValue: 0x16)
    public static let adminDefine = IPPOutOfBand(rawValue: 0x17)
}
