import Foundation

/// A secret given as a file (`--admin-token-file`, the same for the agent and the registry): its
/// first line, trimmed. A secret on the command line would be visible in every user's `ps`.
public enum TokenFile {
    public typealias Failure = CodedError<TokenFileErrorCode>

    public static func read(_ path: String?) throws(Failure) -> String? {
        guard let path else { return nil }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw Failure(.unreadable, "cannot read the token file", context: path)
        }
        let token = text.split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard !token.isEmpty else { throw Failure(.empty, "the token file is empty", context: path) }
        return token
    }

    /// A new file for a token, made before the token is: a token is never made that cannot be
    /// written down. Created only its owner may read (0600); an existing file is never replaced.
    public final class Reservation {
        public let path: String
        private var descriptor: Int32

        public init(path: String) throws(Failure) {
            self.path = path
            descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else {
                throw Failure(.unwritable, "cannot create the token file: \(String(cString: strerror(errno)))", context: path)
            }
        }

        /// Writes the token and closes the file.
        public func fill(with token: String) throws(Failure) {
            let bytes = Array("\(token)\n".utf8)
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            let synced = fsync(descriptor) == 0
            close(descriptor)
            descriptor = -1
            guard written == bytes.count, synced else {
                throw Failure(.unwritable, "cannot write the token file: \(String(cString: strerror(errno)))", context: path)
            }
        }

        /// Closes and removes the file when no token was written to it.
        deinit {
            if descriptor >= 0 {
                close(descriptor)
                unlink(path)
            }
        }
    }
}
