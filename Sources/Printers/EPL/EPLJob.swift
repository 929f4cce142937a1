/// A complete EPL2 job and the values chosen for it.
public struct EPLJob: Sendable, Equatable {
    public let bytes: [UInt8]
    /// The `S` code sent and the speed it stands for on this model.
    public let speedCode: Int
    public let speedIPS: Double
    /// The `D` value sent.
    public let density: Int
}
