public import LanyardSupport

/// Something the simulator could not print or do. Recorded (the simulator keeps serving), or
/// thrown when it cannot be set up at all.
public typealias SimulatorError = CodedError<SimulatorErrorCode>

/// Where in the simulator's input a failure was: the connection (session) and the faulty
/// command's byte in that connection's stream.
public struct SimulatorInputPosition: ErrorFacts, Equatable {
    public let session: Int
    public let offset: Int?
    public var description: String { "connection \(session)" + (offset.map { ", byte \($0)" } ?? "") }
}

extension CodedError where Code == SimulatorErrorCode {
    /// `underlying` is the decoder's or the file system's error.
    public init(_ code: Code, _ message: String, session: Int? = nil, offset: Int? = nil, underlying: (any Error)? = nil) {
        self.init(
            code, message, underlying: underlying,
            facts: session.map { SimulatorInputPosition(session: $0, offset: offset) })
    }

    public var session: Int? { facts(as: SimulatorInputPosition.self)?.session }
    public var offset: Int? { facts(as: SimulatorInputPosition.self)?.offset }
}
