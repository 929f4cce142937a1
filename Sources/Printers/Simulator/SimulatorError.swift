/// Something the simulator could not print or do. Recorded (the simulator keeps serving), or
/// thrown when it cannot be set up at all.
public struct SimulatorError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable, CaseIterable {
        /// A label format or command could not be read; nothing was printed for it.
        case malformedJob = "simulator.malformed_job"
        /// A printed label's PNG could not be written to the output directory.
        case outputFailed = "simulator.output_failed"
        /// The simulator cannot model that printer (language not in its profile, output
        /// directory not creatable, nonsense mode parameters).
        case invalidConfiguration = "simulator.invalid_configuration"
    }

    public let code: Code
    public let message: String
    /// The connection (session) the bytes came in on.
    public let session: Int?
    /// Offset of the faulty command in that session's byte stream.
    public let offset: Int?
    /// The decoder's error, or the system's text for a file error.
    public let cause: String?

    public init(_ code: Code, _ message: String, session: Int? = nil, offset: Int? = nil, cause: String? = nil) {
        self.code = code
        self.message = message
        self.session = session
        self.offset = offset
        self.cause = cause
    }

    public var description: String {
        var text = "\(code.rawValue): \(message)"
        if let session { text += " (connection \(session)" + (offset.map { ", byte \($0)" } ?? "") + ")" }
        if let cause { text += " [\(cause)]" }
        return text
    }
}
