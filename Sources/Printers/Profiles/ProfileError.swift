public import LanyardSupport

/// Why a profile file or directory could not be used. A directory load reports every problem in
/// every file at once, so a technician fixes a batch of profiles in one pass.
public struct ProfileError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        /// A file was read but its content is wrong: YAML syntax, types, or validation.
        case invalid = "printers.profile_invalid"
        /// A file or directory could not be read.
        case unreadable = "printers.profile_unreadable"
        /// Two files declare the same id.
        case duplicateId = "printers.profile_duplicate_id"
        /// The directory holds no profile files.
        case empty = "printers.profile_directory_empty"
        /// No profile has the requested id.
        case notFound = "printers.profile_not_found"
    }

    /// One thing wrong in one file.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public let file: String
        /// YAML field path such as `darkness.default` or `usb.product_ids[1]`; nil for
        /// problems with the whole file.
        public let fieldPath: String?
        public let message: String
        /// Text of the underlying error (YAML parser, file system).
        public let cause: String?

        public init(file: String, fieldPath: String?, message: String, cause: String? = nil) {
            self.file = file
            self.fieldPath = fieldPath
            self.message = message
            self.cause = cause
        }

        public var description: String {
            var text = file + ": "
            if let fieldPath, !fieldPath.isEmpty { text += fieldPath + ": " }
            text += message
            if let cause { text += " (\(cause))" }
            return text
        }
    }

    public let code: Code
    public let problems: [Problem]

    public init(code: Code, problems: [Problem]) {
        self.code = code
        self.problems = problems
    }

    /// The first problem, with a count of the others.
    public var message: String {
        guard let first = problems.first else { return code.rawValue }
        let more = problems.count > 1 ? " (and \(problems.count - 1) more)" : ""
        return first.description + more
    }

    public var description: String {
        ([code.rawValue + ":"] + problems.map { "  " + $0.description }).joined(separator: "\n")
    }
}

extension ProfileError: LanyardError {
    public var errorCode: String { code.rawValue }
    public var context: String? { problems.first.map { [$0.file, $0.fieldPath].compactMap { $0 }.joined(separator: ": ") } }
    public var exitStatus: ExitStatus { code == .notFound || code == .unreadable ? .inputMissing : .invalidData }
}
