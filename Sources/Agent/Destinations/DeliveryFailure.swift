import AsyncHTTPClient
import Glibc
import NIOCore
import NIOPosix
import NIOSSL

/// Why a request to another machine did not give an answer, as far as it matters for printing
/// once: whether the request may have reached it.
public enum DeliveryFailure: Error, Sendable, Equatable {
    /// No connection was made (refused, unreachable, no answer to the connect): nothing arrived.
    case notDelivered(String)
    /// The other side answered with a refusal (4xx): it did not take the request.
    case refused(status: Int, message: String)
    /// The request may have arrived and been acted on, but no answer came (a timeout or a reset
    /// after sending, a 5xx, an answer that does not decode).
    case uncertain(String)

    public var message: String {
        switch self {
        case .notDelivered(let message), .uncertain(let message): message
        case .refused(let status, let message): "\(status): \(message)"
        }
    }

    /// An error of the HTTP client, sorted by whether the request can have left this machine.
    static func classify(_ error: any Error) -> DeliveryFailure {
        failedBeforeSending(error) ? .notDelivered("\(error)") : .uncertain("\(error)")
    }

    /// Errors that can only come from making the connection (resolving, connecting, the TLS
    /// handshake), before a byte of the request was written. Anything else, a deadline that
    /// passed while connecting included, counts as possibly received: wrongly calling a request
    /// unsent could print a badge twice; wrongly calling it sent costs one more question. (A
    /// refusal of a client certificate can also come after a TLS 1.3 client sent its request:
    /// that one is possibly received.)
    static func failedBeforeSending(_ error: any Error) -> Bool {
        switch error {
        case is NIOConnectionError, is SocketAddressError, is NIOSSLExtraError: return true
        case let httpError as HTTPClientError:
            return [HTTPClientError.connectTimeout, .getConnectionFromPoolTimeout, .tlsHandshakeTimeout].contains(httpError)
        case let channelError as ChannelError:
            if case .connectTimeout = channelError { return true }
            return false
        case let ioError as IOError:
            return [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, EHOSTDOWN].contains(ioError.errnoCode)
        case let sslError as NIOSSLError:
            if case .handshakeFailed = sslError { return true }
            return false
        default: return false
        }
    }
}
