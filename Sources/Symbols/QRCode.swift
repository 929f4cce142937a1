public import LanyardSupport

/// QR error-correction levels, weakest first. The raw values are the letters templates and ZPL's
/// `^BQ` use.
public enum QRErrorCorrection: String, Sendable, CaseIterable, Comparable {
    /// About 7% of codewords recoverable.
    case low = "L"
    /// About 15%.
    case medium = "M"
    /// About 25%; the default, as a badge gets scratched, bent and scanned through plastic.
    case quartile = "Q"
    /// About 30%.
    case high = "H"

    /// The next weaker level, tried when a payload does not fit; nil for `.low`.
    public var lower: QRErrorCorrection? {
        switch self {
        case .low: nil
        case .medium: .low
        case .quartile: .medium
        case .high: .quartile
        }
    }

    public static func < (lhs: QRErrorCorrection, rhs: QRErrorCorrection) -> Bool {
        lhs.strength < rhs.strength
    }

    private var strength: Int {
        switch self {
        case .low: 0
        case .medium: 1
        case .quartile: 2
        case .high: 3
        }
    }
}

/// An encoded QR code: its modules and the version and level it was built with.
public struct QREncoding: Sendable, Equatable, Hashable {
    public let matrix: SymbolMatrix
    /// 1...40; the symbol is `17 + 4 * version` modules across.
    public let version: Int
    public let level: QRErrorCorrection

    public init(matrix: SymbolMatrix, version: Int, level: QRErrorCorrection) {
        self.matrix = matrix
        self.version = version
        self.level = level
    }
}

/// A weaker error-correction level than asked for was used so the payload fits; callers report it
/// because the badge will tolerate less damage.
public struct QRLevelDowngrade: Sendable, Equatable, Hashable {
    public let from: QRErrorCorrection
    public let to: QRErrorCorrection

    public init(from: QRErrorCorrection, to: QRErrorCorrection) {
        self.from = from
        self.to = to
    }
}

/// The result of fitting a payload into a width: the encoding, plus the downgrade when one was
/// needed.
public struct QRFittedEncoding: Sendable, Equatable, Hashable {
    public let encoding: QREncoding
    public let downgrade: QRLevelDowngrade?

    public init(encoding: QREncoding, downgrade: QRLevelDowngrade?) {
        self.encoding = encoding
        self.downgrade = downgrade
    }
}

/// QR codes through libqrencode, always in 8-bit byte mode: the payload's bytes go in exactly as
/// given (case preserved, no mode guessing), so a scanner returns the same bytes. libqrencode
/// writes no ECI header, so a UTF-8 payload scans back as UTF-8 bytes that a reader may show as
/// ISO-8859-1 text; pass ASCII when the scanned text must match exactly.
public enum QRCode {
    /// ISO/IEC 18004 asks for 4 modules of clear space on all four sides.
    public static let quietZoneModules = 4
    public static let versions = 1...40

    /// Modules across a symbol of `version` (without quiet zone).
    public static func modulesAcross(version: Int) -> Int {
        17 + 4 * version
    }

    public static func encode(
        _ payload: String,
        level: QRErrorCorrection = .quartile,
        maxVersion: Int? = nil
    ) throws(SymbolError) -> QREncoding {
        try encode(Array(payload.utf8), level: level, maxVersion: maxVersion)
    }

    /// Encodes in the smallest version that holds the payload at `level`; throws
    /// `capacityExceeded` (with the byte limit) when that version would exceed `maxVersion`.
    public static func encode(
        _ payload: [UInt8],
        level: QRErrorCorrection = .quartile,
        maxVersion: Int? = nil
    ) throws(SymbolError) -> QREncoding {
        guard !payload.isEmpty else {
            throw SymbolError(code: .emptyInput, message: "a QR code needs at least one byte of payload")
        }
        let limitVersion = maxVersion ?? versions.upperBound
        guard versions.contains(limitVersion) else {
            throw SymbolError(
                code: .invalidOption,
                message: "QR version limit must be within \(versions), got \(limitVersion)",
                cause: "maxVersion"
            )
        }
        let encoded: LibQRencodeSymbol
        switch LibQRencodeSymbol.encode(payload, minimumVersion: 0, level: level) {
        case .success(let symbol):
            encoded = symbol
        case .failure(.tooLarge):
            throw try capacityError(payloadBytes: payload.count, version: versions.upperBound, level: level)
        case .failure(.failed(let reason)):
            throw SymbolError(code: .encoderFailed, message: "libqrencode could not encode the payload", cause: reason)
        }
        guard encoded.version <= limitVersion else {
            throw try capacityError(payloadBytes: payload.count, version: limitVersion, level: level)
        }
        return QREncoding(matrix: try encoded.matrix(), version: encoded.version, level: level)
    }

    public static func encodeFitting(
        _ payload: String,
        preferredLevel: QRErrorCorrection = .quartile,
        maxModulesAcross: Int,
        includeQuietZone: Bool = true
    ) throws(SymbolError) -> QRFittedEncoding {
        try encodeFitting(
            Array(payload.utf8),
            preferredLevel: preferredLevel,
            maxModulesAcross: maxModulesAcross,
            includeQuietZone: includeQuietZone
        )
    }

    /// Encodes at `preferredLevel` in a symbol at most `maxModulesAcross` modules wide (counting
    /// the quiet zone when `includeQuietZone`), stepping down a level at a time (H -> Q -> M -> L)
    /// when it does not fit, and records the downgrade. A badge prefers a scannable code with less
    /// redundancy over no code; callers decide whether a downgrade is acceptable.
    public static func encodeFitting(
        _ payload: [UInt8],
        preferredLevel: QRErrorCorrection = .quartile,
        maxModulesAcross: Int,
        includeQuietZone: Bool = true
    ) throws(SymbolError) -> QRFittedEncoding {
        guard !payload.isEmpty else {
            throw SymbolError(code: .emptyInput, message: "a QR code needs at least one byte of payload")
        }
        let margin = includeQuietZone ? 2 * quietZoneModules : 0
        let widestVersion = min(versions.upperBound, (maxModulesAcross - margin - modulesAcross(version: 0)) / 4)
        guard widestVersion >= versions.lowerBound else {
            throw SymbolError(
                code: .capacityExceeded,
                message: "even the smallest QR code needs \(modulesAcross(version: 1) + margin) modules across, "
                    + "only \(maxModulesAcross) are available",
                capacity: SymbolError.Capacity(payloadLength: payload.count, limit: 0, unit: "bytes")
            )
        }
        var level: QRErrorCorrection? = preferredLevel
        while let current = level {
            do throws(SymbolError) {
                let encoding = try encode(payload, level: current, maxVersion: widestVersion)
                let downgrade = current == preferredLevel ? nil : QRLevelDowngrade(from: preferredLevel, to: current)
                return QRFittedEncoding(encoding: encoding, downgrade: downgrade)
            } catch  where error.code == .capacityExceeded {
                level = current.lower
            }
        }
        let limit = try byteCapacity(version: widestVersion, level: .low)
        throw SymbolError(
            code: .capacityExceeded,
            message: "payload of \(payload.count) bytes does not fit a QR code \(maxModulesAcross) modules across "
                + "(at most \(limit) bytes: version \(widestVersion), level L)",
            capacity: SymbolError.Capacity(payloadLength: payload.count, limit: limit, unit: "bytes")
        )
    }

    /// How many payload bytes fit a symbol of `version` at `level` in byte mode. Asked of
    /// libqrencode itself (searching for the longest payload that stays in `version`) so the
    /// answer always agrees with the encoder actually used.
    public static func byteCapacity(version: Int, level: QRErrorCorrection) throws(SymbolError) -> Int {
        guard versions.contains(version) else {
            throw SymbolError(
                code: .invalidOption,
                message: "QR version must be within \(versions), got \(version)",
                cause: "version"
            )
        }
        func fits(_ length: Int) throws(SymbolError) -> Bool {
            if length == 0 { return true }
            switch LibQRencodeSymbol.encode([UInt8](repeating: 0x41, count: length), minimumVersion: version, level: level) {
            case .success(let symbol): return symbol.version == version
            case .failure(.tooLarge): return false
            case .failure(.failed(let reason)):
                throw SymbolError(code: .encoderFailed, message: "libqrencode failed while measuring capacity", cause: reason)
            }
        }
        var fitting = 0
        var failing = 1
        while try fits(failing) {
            fitting = failing
            failing *= 2
        }
        while failing - fitting > 1 {
            let middle = (fitting + failing) / 2
            if try fits(middle) { fitting = middle } else { failing = middle }
        }
        return fitting
    }

    private static func capacityError(payloadBytes: Int, version: Int, level: QRErrorCorrection) throws(SymbolError) -> SymbolError {
        let limit = try byteCapacity(version: version, level: level)
        return SymbolError(
            code: .capacityExceeded,
            message: "payload of \(payloadBytes) bytes exceeds the \(limit)-byte capacity of QR version \(version) "
                + "at level \(level.rawValue)",
            capacity: SymbolError.Capacity(payloadLength: payloadBytes, limit: limit, unit: "bytes")
        )
    }
}
