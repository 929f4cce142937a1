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
}
