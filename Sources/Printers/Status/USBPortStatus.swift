/// The one-byte reply to the USB printer class GET_PORT_STATUS request (reference §6.2):
/// 0x20 paper empty, 0x10 selected (on-line), 0x08 not-error (error is active low); the other
/// bits are reserved and ignored.
///
/// How faithfully Zebra firmware drives these bits is unverified, so `StatusPoll` consults this
/// byte only when the printer's own status queries got no readable answer.
public struct USBPortStatus: OptionSet, Sendable, Hashable, Codable {
    public let rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let paperEmpty = USBPortStatus(rawValue: 0x20)
    public static let selected = USBPortStatus(rawValue: 0x10)
    public static let noError = USBPortStatus(rawValue: 0x08)

    /// The data stage of the control transfer: exactly one byte.
    public static func parse(_ reply: [UInt8]) throws(StatusParseError) -> USBPortStatus {
        guard let byte = reply.first else {
            throw StatusParseError(.empty, "GET_PORT_STATUS returned no byte", field: "GET_PORT_STATUS")
        }
        guard reply.count == 1 else {
            throw StatusParseError(
                .invalidField, "GET_PORT_STATUS returns one byte, got \(reply.count)", field: "GET_PORT_STATUS",
                at: 1, in: reply)
        }
        return USBPortStatus(rawValue: byte)
    }

    /// Conditions as Linux `usblp` reads the byte. The error line is generic, so it becomes a
    /// fault only when paper-out or off-line does not already explain it.
    public var printerStatus: PrinterStatus {
        var conditions: Set<PrinterCondition> = []
        var errors: [String] = []
        if contains(.paperEmpty) {
            conditions.insert(.paperOut)
            errors.append("paper empty")
        }
        if !contains(.selected) {
            conditions.insert(.paused)
            errors.append("off-line")
        }
        if !contains(.noError) {
            if conditions.isEmpty { conditions.insert(.fault) }
            errors.append("error")
        }
        return PrinterStatus(conditions: conditions, errors: errors)
    }
}
