import Foundation
import LanyardSupport

/// The bearer token a kiosk sends to the registry server: none, one given in the configuration,
/// or one read from a file at each request. A file lets a rotated token (docs/registry-server.md,
/// "Tokens and roles") reach a fleet by configuration management within the rotation's overlap,
/// without restarting a kiosk.
public enum RegistryCredential: Sendable, Equatable {
    case none
    case token(String)
    case file(String)

    /// The token to send now; nil when there is none, or the file cannot be read (the server
    /// then refuses the request, and the kiosk tries again at its next upload).
    public func current() -> String? {
        switch self {
        case .none: nil
        case .token(let token): token
        case .file(let path): try? TokenFile.read(path)
        }
    }

    /// `Authorization: Bearer …` for the current token, if any.
    public var authorization: String? { current().map { "Bearer \($0)" } }
}
