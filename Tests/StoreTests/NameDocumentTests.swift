import Attendees
import Foundation
import Testing

@testable import Store

/// `SearchFolding.nameDocument` skips Unicode work for speed; it must still write exactly the
/// document the plain construction below writes (lines compared as strings, every line put in
/// document form by cutting at space characters), or names already indexed would stop matching.
@Suite struct NameDocumentTests {
    static func reference(first: String, last: String, preferred: String) -> String {
        var lines: [String] = []
        func add(_ line: String) {
            if !line.isEmpty, !lines.contains(line) { lines.append(line) }
        }
        func words(_ head: String, _ tail: String) -> String {
            head.isEmpty ? tail : tail.isEmpty ? head : head + " " + tail
        }
        func form(_ text: String) -> String {
            text.split(separator: " ", omittingEmptySubsequences: false).joined(separator: "  ")
        }
        add(words(first, last))
        add(words(last, first))
        add(first)
        add(last)
        add(preferred)
        if !preferred.isEmpty { add(words(preferred, last)) }
        if SearchFolding.writtenWithoutSpaces(first + last + preferred) {
            add(last + first)
            add(first + last)
            if !preferred.isEmpty { add(last + preferred) }
        }
        guard !lines.isEmpty else { return "" }
        return "\n\n" + lines.map(form).joined(separator: "\n\n") + "\n"
    }

    @Test func theRosterGetsTheSameDocuments() {
        for attendee in SyntheticRoster.attendees(count: 5_000, seed: 3) {
            let first = SearchFolding.fold(attendee.firstName ?? ""), last = SearchFolding.fold(attendee.lastName ?? "")
            let preferred = SearchFolding.fold(attendee.preferredName ?? "")
            #expect(
                SearchFolding.nameDocument(first: first, last: last, preferred: preferred)
                    == Self.reference(first: first, last: last, preferred: preferred), "\(first) / \(last) / \(preferred)")
        }
    }

    /// Parts with spaces inside, empty and repeated parts, scripts written without spaces, and
    /// parts that begin with a mark or end with a prepended letter, where the joining space
    /// belongs to a neighbouring character instead of standing alone.
    @Test(arguments: [
        ("anna", "van der berg", ""), ("", "smith", ""), ("", "", ""), ("lee", "lee", "lee"), ("ann", "lee", "ann"),
        ("娜娜", "欧阳", ""), ("伟", "王", "小伟"), ("서연", "김", ""), ("สมชาย", "ศรีสวัสดิ์", ""), ("さくら", "高橋", "さく"),
        ("عبد الرحمن", "الفلاحي", ""), ("अनुष्का", "श्रीवास्तव", "अनु"), ("ाक", "राम", ""), ("राम", "ाक", "ि"),
        ("കൊച്ചുൎ", "രാമൻ", ""), ("a\u{0301}b", "\u{0301}c", ""), ("x\u{200D}", "\u{200D}y", "z"), ("jean  luc", "o brien", "jl"),
        ("ab ", " cd", ""), ("\u{0600}", "x", ""),
    ])
    func unusualNamesGetTheSameDocuments(first: String, last: String, preferred: String) {
        #expect(
            SearchFolding.nameDocument(first: first, last: last, preferred: preferred)
                == Self.reference(first: first, last: last, preferred: preferred))
    }

    @Test(arguments: ["anna van der berg", "a  b", "عبد الرحمن", "राम ाक", "ൎ x", "plain"])
    func theDocumentFormCutsAtSpaceCharacters(text: String) {
        #expect(
            SearchFolding.documentForm(text)
                == text.split(separator: " ", omittingEmptySubsequences: false).joined(separator: "  "))
    }
}
