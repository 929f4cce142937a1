/// A question a printer answers about itself, with the bytes that ask it and the rule that says
/// when its reply is complete. Replies arrive in pieces (USB bulk reads, TCP segments), so the
/// transport reads until `isComplete` holds, the size cap is reached or its timeout passes.
public enum StatusQuery: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// ZPL `~HS`: three STX…ETX frames. Not answered in media out, ribbon out, head open or head
    /// over temperature (reference §4.1), so silence is itself a reading.
    case zplHostStatus = "~HS"
    /// ZPL `~HQES`: one STX…ETX block with the ERRORS and WARNINGS lines.
    case zplExtendedStatus = "~HQES"
    /// ZPL `~HI`: one STX…ETX frame `model,firmware,dpm,memory,options`.
    case zplHostIdentification = "~HI"
    /// EPL `^ee`: one line of two-digit error codes, `00` when fine.
    case eplErrorReport = "^ee"
    /// EPL `UQ`: the configuration as text lines. No terminator is documented, so only the size
    /// cap or the transport's timeout ends the read.
    case eplConfiguration = "UQ"

    public var description: String { rawValue }

    public var language: PrinterLanguage {
        switch self {
        case .zplHostStatus, .zplExtendedStatus, .zplHostIdentification: .zpl
        case .eplErrorReport, .eplConfiguration: .epl
        }
    }

    /// The bytes to send. Tilde commands act on arrival and need no terminator. EPL commands end
    /// in LF; `UQ` is a normal command, so an empty line first closes any command an interrupted
    /// job left open (as the EPL encoder does), while `^ee` is immediate and needs none.
    public var bytes: [UInt8] {
        switch self {
        case .zplHostStatus, .zplExtendedStatus, .zplHostIdentification: Array(rawValue.utf8)
        case .eplErrorReport: Array("^ee\n".utf8)
        case .eplConfiguration: Array("\nUQ\n".utf8)
        }
    }

    /// The most bytes a reply may take. A `~HS` reply is about 130 bytes and a `UQ` dump about a
    /// kilobyte; the caps leave room for stray bytes between frames while keeping a printer that
    /// streams garbage from growing the buffer without bound.
    public var maxReplyBytes: Int {
        switch self {
        case .zplHostStatus, .zplExtendedStatus, .zplHostIdentification: 4096
        case .eplErrorReport: 512
        case .eplConfiguration: 16384
        }
    }

    /// STX…ETX frames a complete ZPL reply holds.
    var frameCount: Int? {
        switch self {
        case .zplHostStatus: 3
        case .zplExtendedStatus, .zplHostIdentification: 1
        case .eplErrorReport, .eplConfiguration: nil
        }
    }

    /// Whether `reply` (all bytes received so far) is a whole reply, or has reached the size cap
    /// and must not grow further. Looks at no more than `maxReplyBytes` bytes.
    public func isComplete(_ reply: [UInt8]) -> Bool {
        if reply.count >= maxReplyBytes { return true }
        switch self {
        case .zplHostStatus, .zplExtendedStatus, .zplHostIdentification:
            return StatusReply.frames(in: reply, count: frameCount ?? 1, limit: maxReplyBytes).frames.count >= (frameCount ?? 1)
        case .eplErrorReport:
            return StatusReply.firstLine(in: reply, limit: maxReplyBytes) != nil
        case .eplConfiguration:
            return false
        }
    }

    /// `isComplete` as a closure for `PrinterConnection.read(timeout:until:)`.
    public var completion: @Sendable ([UInt8]) -> Bool {
        let query = self
        return { query.isComplete($0) }
    }
}
