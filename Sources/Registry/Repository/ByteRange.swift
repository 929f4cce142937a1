import Foundation

/// A `Range` request header as this server honours it: one range, `bytes=N-`, `bytes=N-M` or
/// `bytes=-N` (the last N bytes). Several ranges or another unit are answered with the whole
/// file, which RFC 9110 allows.
enum ByteRange: Equatable {
    case from(Int)
    case span(Int, Int)
    case suffix(Int)

    /// Nil for a header this server ignores (and answers with the whole file).
    init?(header: String) {
        let text = header.trimmingCharacters(in: .whitespaces)
        guard text.hasPrefix("bytes="), !text.contains(",") else { return nil }
        let spec = text.dropFirst(6)
        guard let dash = spec.firstIndex(of: "-") else { return nil }
        let first = spec[..<dash].trimmingCharacters(in: .whitespaces)
        let last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        switch (Self.number(first), Self.number(last)) {
        case (let start?, nil) where last.isEmpty: self = .from(start)
        case (let start?, let end?) where end >= start: self = .span(start, end)
        case (nil, let count?) where first.isEmpty: self = .suffix(count)
        default: return nil
        }
    }

    /// The bytes to send from a file of `size` bytes; nil when none of them exist (416).
    func resolve(size: Int) -> ClosedRange<Int>? {
        switch self {
        case .from(let start):
            return start < size ? start...(size - 1) : nil
        case .span(let start, let end):
            return start < size ? start...min(end, size - 1) : nil
        case .suffix(let count):
            return count > 0 && size > 0 ? max(0, size - count)...(size - 1) : nil
        }
    }

    private static func number(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        return Int(text)
    }
}
