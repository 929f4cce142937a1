/// Group 1 error bits of a `~HQES` reply (reference §4.2). Bits marked KR403 exist only on that
/// kiosk printer; they are named all the same, since a printer that sets one is not ready.
public struct ZPLErrorFlags: OptionSet, Sendable, Hashable, Codable {
    public let rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let mediaOut = ZPLErrorFlags(rawValue: 0x0000_0001)
    public static let ribbonOut = ZPLErrorFlags(rawValue: 0x0000_0002)
    public static let headOpen = ZPLErrorFlags(rawValue: 0x0000_0004)
    public static let cutterFault = ZPLErrorFlags(rawValue: 0x0000_0008)
    public static let printheadOverTemperature = ZPLErrorFlags(rawValue: 0x0000_0010)
    public static let motorOverTemperature = ZPLErrorFlags(rawValue: 0x0000_0020)
    public static let badPrintheadElement = ZPLErrorFlags(rawValue: 0x0000_0040)
    public static let printheadDetectionError = ZPLErrorFlags(rawValue: 0x0000_0080)
    public static let invalidFirmwareConfiguration = ZPLErrorFlags(rawValue: 0x0000_0100)
    public static let printheadThermistorOpen = ZPLErrorFlags(rawValue: 0x0000_0200)
    /// KR403.
    public static let paperJamDuringRetract = ZPLErrorFlags(rawValue: 0x0000_1000)
    /// KR403.
    public static let presenterNotRunning = ZPLErrorFlags(rawValue: 0x0000_2000)
    /// KR403.
    public static let paperFeedError = ZPLErrorFlags(rawValue: 0x0000_4000)
    /// KR403.
    public static let clearPaperPathFailed = ZPLErrorFlags(rawValue: 0x0000_8000)
    public static let paused = ZPLErrorFlags(rawValue: 0x0001_0000)
    /// KR403.
    public static let retractTimedOut = ZPLErrorFlags(rawValue: 0x0002_0000)
    /// KR403.
    public static let blackMarkCalibrateError = ZPLErrorFlags(rawValue: 0x0004_0000)
    /// KR403.
    public static let blackMarkNotFound = ZPLErrorFlags(rawValue: 0x0008_0000)

    /// Every documented bit with its name and the condition it puts the printer in.
    static let table: [(flag: ZPLErrorFlags, name: String, condition: PrinterCondition)] = [
        (.mediaOut, "media out", .paperOut),
        (.ribbonOut, "ribbon out", .ribbonOut),
        (.headOpen, "head open", .headOpen),
        (.cutterFault, "cutter fault", .fault),
        (.printheadOverTemperature, "printhead over temperature", .tooHot),
        (.motorOverTemperature, "motor over temperature", .tooHot),
        (.badPrintheadElement, "bad printhead element", .fault),
        (.printheadDetectionError, "printhead detection error", .fault),
        (.invalidFirmwareConfiguration, "invalid firmware configuration", .fault),
        (.printheadThermistorOpen, "printhead thermistor open", .fault),
        (.paperJamDuringRetract, "paper jam during retract", .fault),
        (.presenterNotRunning, "presenter not running", .fault),
        (.paperFeedError, "paper feed error", .fault),
        (.clearPaperPathFailed, "clear paper path failed", .fault),
        (.paused, "paused", .paused),
        (.retractTimedOut, "retract function timed out", .fault),
        (.blackMarkCalibrateError, "black mark calibrate error", .fault),
        (.blackMarkNotFound, "black mark not found", .fault),
    ]

    /// The bits no table row names.
    public var unknownBits: UInt32 {
        Self.table.reduce(rawValue) { $0 & ~$1.flag.rawValue }
    }

    /// A name per set bit in table order; an undocumented bit is named by its value.
    public var names: [String] {
        Self.table.filter { contains($0.flag) }.map(\.name) + bitNames(unknownBits, kind: "error")
    }

    /// The conditions the set bits mean; an undocumented bit is a fault.
    public var conditions: Set<PrinterCondition> {
        var conditions = Set(Self.table.filter { contains($0.flag) }.map(\.condition))
        if unknownBits != 0 { conditions.insert(.fault) }
        return conditions
    }
}

/// Group 1 warning bits of a `~HQES` reply. Warnings never stop printing; they tell an operator
/// what to do next (calibrate, clean the head).
public struct ZPLWarningFlags: OptionSet, Sendable, Hashable, Codable {
    public let rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let needsCalibration = ZPLWarningFlags(rawValue: 0x0000_0001)
    public static let cleanPrinthead = ZPLWarningFlags(rawValue: 0x0000_0002)
    public static let replacePrinthead = ZPLWarningFlags(rawValue: 0x0000_0004)
    /// KR403, as are the sensor bits below.
    public static let paperNearEnd = ZPLWarningFlags(rawValue: 0x0000_0008)
    public static let sensor1PaperBeforeHead = ZPLWarningFlags(rawValue: 0x0000_0010)
    public static let sensor2BlackMark = ZPLWarningFlags(rawValue: 0x0000_0020)
    public static let sensor3PaperAfterHead = ZPLWarningFlags(rawValue: 0x0000_0040)
    public static let sensor4LoopReady = ZPLWarningFlags(rawValue: 0x0000_0080)
    public static let sensor5Presenter = ZPLWarningFlags(rawValue: 0x0000_0100)
    public static let sensor6RetractReady = ZPLWarningFlags(rawValue: 0x0000_0200)
    public static let sensor7InRetract = ZPLWarningFlags(rawValue: 0x0000_0400)
    public static let sensor8AtBin = ZPLWarningFlags(rawValue: 0x0000_0800)

    static let table: [(flag: ZPLWarningFlags, name: String)] = [
        (.needsCalibration, "need to calibrate media"),
        (.cleanPrinthead, "clean printhead"),
        (.replacePrinthead, "replace printhead"),
        (.paperNearEnd, "paper near end"),
        (.sensor1PaperBeforeHead, "sensor 1 (paper before head)"),
        (.sensor2BlackMark, "sensor 2 (black mark)"),
        (.sensor3PaperAfterHead, "sensor 3 (paper after head)"),
        (.sensor4LoopReady, "sensor 4 (loop ready)"),
        (.sensor5Presenter, "sensor 5 (presenter)"),
        (.sensor6RetractReady, "sensor 6 (retract ready)"),
        (.sensor7InRetract, "sensor 7 (in retract)"),
        (.sensor8AtBin, "sensor 8 (at bin)"),
    ]

    public var unknownBits: UInt32 {
        Self.table.reduce(rawValue) { $0 & ~$1.flag.rawValue }
    }

    public var names: [String] {
        Self.table.filter { contains($0.flag) }.map(\.name) + bitNames(unknownBits, kind: "warning")
    }
}

/// `error bit 0x00000400` for each set bit of `bits`, lowest first.
func bitNames(_ bits: UInt32, kind: String, group: Int = 1) -> [String] {
    var names: [String] = []
    for shift in UInt32(0)..<32 {
        let bit: UInt32 = 1 << shift
        guard bits & bit != 0 else { continue }
        var text: [UInt8] = Array("\(kind) bit 0x".utf8)
        text.append(hex16: UInt16(truncatingIfNeeded: bit >> 16))
        text.append(hex16: UInt16(truncatingIfNeeded: bit))
        if group != 1 { text.append(ascii: " (group \(group))") }
        names.append(String(decoding: text, as: UTF8.self))
    }
    return names
}
