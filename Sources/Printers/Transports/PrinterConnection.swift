import Foundation
public import LanyardSupport

/// Where a printer is, as written on the command line and in configuration:
/// `usb` (the only USB printer), `usb:SERIAL`, `tcp://HOST[:PORT]` (9100 by default),
/// `file:PATH` (a device node such as /dev/usb/lp0; write only) or `sim` (the built-in virtual
/// printer).
public enum PrinterAddress: Sendable, Hashable, Codable, CustomStringConvertible {
    case usb(serial: String?)
    case tcp(host: String, port: Int)
    case file(path: String)
    case simulator

    public static let defaultTCPPort = 9100

    public init(parsing text: String) throws(TransportError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "usb" {
            self = .usb(serial: nil)
        } else if trimmed.hasPrefix("usb:") {
            let serial = String(trimmed.dropFirst(4))
            guard !serial.isEmpty else {
                throw TransportError(.invalidAddress, "usb: needs a serial number after the colon", address: text)
            }
            self = .usb(serial: serial)
        } else if trimmed.hasPrefix("tcp://") {
            let rest = trimmed.dropFirst(6)
            let host: Substring, port: Int
            if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
                // [IPv6]:port
                host = rest[rest.index(after: rest.startIndex)..<close]
                let after = rest[rest.index(after: close)...]
                guard after.isEmpty || after.hasPrefix(":") else {
                    throw TransportError(.invalidAddress, "expected tcp://[ADDRESS]:PORT", address: text)
                }
                port = after.isEmpty ? Self.defaultTCPPort : try Self.port(after.dropFirst(), in: text)
            } else if let colon = rest.lastIndex(of: ":") {
                host = rest[..<colon]
                port = try Self.port(rest[rest.index(after: colon)...], in: text)
            } else {
                host = rest
                port = Self.defaultTCPPort
            }
            guard !host.isEmpty, !host.contains("/") else {
                throw TransportError(.invalidAddress, "expected tcp://HOST[:PORT]", address: text)
            }
            self = .tcp(host: String(host), port: port)
        } else if trimmed.hasPrefix("file:") {
            let path = String(trimmed.dropFirst(5))
            guard !path.isEmpty else { throw TransportError(.invalidAddress, "file: needs a path", address: text) }
            self = .file(path: path)
        } else if trimmed == "sim" {
            self = .simulator
        } else {
            throw TransportError(.invalidAddress, "expected usb, usb:SERIAL, tcp://HOST[:PORT], file:PATH or sim", address: text)
        }
    }

    private static func port(_ text: Substring, in address: String) throws(TransportError) -> Int {
        guard let port = Int(text), (1...65535).contains(port) else {
            throw TransportError(.invalidAddress, "port must be a number from 1 to 65535", address: address)
        }
        return port
    }

    public var description: String {
        switch self {
        case .usb(let serial): serial.map { "usb:\($0)" } ?? "usb"
        case .tcp(let host, let port): host.contains(":") ? "tcp://[\(host)]:\(port)" : "tcp://\(host):\(port)"
        case .file(let path): "file:\(path)"
        case .simulator: "sim"
        }
    }
}

/// A transport failure: what went wrong, on which printer, and the system's own words for it.
public typealias TransportError = CodedError<TransportErrorCode>

/// Bytes of the current write that the printer accepted before a transport failure.
public struct BytesWritten: ErrorFacts, Equatable {
    public let count: Int
    public var description: String { "\(count) bytes written" }
}

extension CodedError where Code == TransportErrorCode {
    /// `cause` is what libusb or the system said (errno text), kept as the underlying error.
    public init(_ code: Code, _ message: String, address: String? = nil, cause: String? = nil, bytesWritten: Int? = nil) {
        self.init(
            code, message, context: address, underlying: cause.map(ErrorText.init),
            facts: bytesWritten.map { BytesWritten(count: $0) })
    }

    public var address: String? { context }
    public var cause: String? { underlyingError.map { "\($0)" } }
    public var bytesWritten: Int? { facts(as: BytesWritten.self)?.count }
}

/// An open byte pipe to one printer. Every call has a timeout; blocking system calls run on a
/// thread of the connection's own, never on Swift's cooperative pool. One job at a time: callers
/// (the spooler's per-printer worker) serialise their use.
public protocol PrinterConnection: AnyObject, Sendable {
    var address: PrinterAddress { get }
    /// Whether the printer can answer (false for a write-only device file).
    var canRead: Bool { get }

    /// Writes every byte, continuing after partial writes, or throws. A failure part-way carries
    /// the count of bytes the printer took in `TransportError.bytesWritten`.
    func write(_ bytes: [UInt8], timeout: Duration) async throws(TransportError)

    /// Reads until `isComplete` says the bytes so far are a whole reply, or until `timeout`
    /// passes. A printer that stays silent yields what arrived (possibly nothing), not an error:
    /// callers decide what silence means. Throws for a transport failure (unplugged, dropped).
    func read(timeout: Duration, until isComplete: @Sendable ([UInt8]) -> Bool) async throws(TransportError) -> [UInt8]

    /// Releases the device (reattaching a kernel driver that was detached). Idempotent.
    func close() async
}
