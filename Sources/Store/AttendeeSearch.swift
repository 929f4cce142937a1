public import Badges
import Foundation
internal import GRDB

/// One search hit, with why it matched, best first.
public struct AttendeeMatch: Sendable, Equatable {
    /// Why the attendee matched, in ranking order.
    public enum Kind: Int, Sendable, Comparable, CaseIterable {
        /// A name, or given and family name together, is exactly the query.
        case exactName
        /// A name, or a word of one, starts with the query.
        case namePrefix
        /// The query occurs inside a name.
        case nameContains
        case email
        case company
        /// The query's words matched in different fields.
        case severalFields

        public static func < (lhs: Kind, rhs: Kind) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public var attendee: Attendee
    public var kind: Kind

    public init(attendee: Attendee, kind: Kind) {
        self.attendee = attendee
        self.kind = kind
    }
}

extension LanyardStore {
    /// Finds attendees by name (given, family, preferred), email or company, in any script,
    /// ignoring case and diacritics (see `SearchFolding`).
    ///
    /// A query of three characters or more goes to the trigram full-text index, which matches any
    /// substring, also in scripts without spaces. Each word of three characters or more must
    /// occur; shorter words only filter those hits. A shorter query (trigrams need three) matches
    /// the start of a name, email or company through ordinary indexes. The query is always data:
    /// it is quoted for FTS5 and escaped for LIKE, so quotes and operators in it never throw.
    ///
    /// Ranking: exact name, then a name or name word starting with the query, then a name
    /// containing it, then email, company, and words spread over several fields; within a
    /// rank, the full-text relevance, then family and given name.
    public func searchAttendees(_ query: String, limit: Int) throws(StoreError) -> [AttendeeMatch] {
        let folded = SearchFolding.fold(query)
        guard !folded.isEmpty, limit > 0 else { return [] }
        return try read { db in
            var arguments: StatementArguments = [
                "q": folded, "lineQ": "\n\(folded)", "wholeLineQ": "\n\(folded)\n", "wordQ": " \(folded)", "limit": limit,
            ]
            let sql: String
            if SearchFolding.length(folded) < 3 {
                _ = arguments.append(contentsOf: ["pattern": Self.likePrefix(folded)])
                sql = Self.shortSearchSQL
            } else {
                let words = folded.split(separator: " ").map(String.init)
                let long = words.filter { SearchFolding.length($0) >= 3 }
                let short = long.isEmpty ? [] : words.filter { SearchFolding.length($0) < 3 }
                _ = arguments.append(contentsOf: ["match": (long.isEmpty ? [folded] : long).map(Self.ftsPhrase).joined(separator: " ")])
                var filters = ""
                for (index, word) in short.enumerated() {
                    filters += " AND instr(a.name_text || char(10) || a.email_folded || char(10) || a.company_folded, :short\(index)) > 0"
                    _ = arguments.append(contentsOf: ["short\(index)": word])
                }
                sql = Self.fullTextSearchSQL(extraFilters: filters)
            }
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
            return try rows.map { row in
                let tier: Int = row["tier"]
                return AttendeeMatch(attendee: try Self.decodeAttendee(row["record"]), kind: AttendeeMatch.Kind(rawValue: tier) ?? .severalFields)
            }
        }
    }

    /// A query word as an FTS5 string: inside double quotes every character is literal, and a
    /// double quote is written twice.
    static func ftsPhrase(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `text%` with LIKE's wildcards and the escape character itself escaped.
    static func likePrefix(_ text: String) -> String {
        var pattern = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { pattern.append("\\") }
            pattern.append(character)
        }
        return pattern + "%"
    }

    /// The rank of a hit (`AttendeeMatch.Kind`'s raw value), the same for both search paths.
    private static let tierSQL = """
        CASE
            WHEN a.first_folded = :q OR a.last_folded = :q OR a.preferred_folded = :q
                OR instr(char(10) || a.name_text || char(10), :wholeLineQ) > 0 THEN 0
            WHEN instr(char(10) || a.name_text, :lineQ) > 0 OR instr(a.name_text, :wordQ) > 0 THEN 1
            WHEN instr(a.name_text, :q) > 0 THEN 2
            WHEN instr(a.email_folded, :q) > 0 THEN 3
            WHEN instr(a.company_folded, :q) > 0 THEN 4
            ELSE 5
        END
        """

    /// Ranks and limits on the ids and sort keys first, then reads only the winners' records.
    private static func fullTextSearchSQL(extraFilters: String) -> String {
        """
        WITH hits AS (
            SELECT a.id AS id, a.last_folded AS last, a.first_folded AS first,
                bm25(attendee_search, 10.0, 4.0, 2.0) AS relevance, \(tierSQL) AS tier
            FROM attendee_search JOIN attendee a ON a.id = attendee_search.rowid
            WHERE attendee_search MATCH :match\(extraFilters)
            ORDER BY tier, relevance, last, first, id
            LIMIT :limit
        )
        SELECT hits.tier AS tier, a.record AS record
        FROM hits JOIN attendee a ON a.id = hits.id
        ORDER BY hits.tier, hits.relevance, hits.last, hits.first, hits.id
        """
    }

    /// Under three characters there are no trigrams: the start of each folded field is matched
    /// instead, including the joined family and given name of scripts written without spaces,
    /// where two characters are already a whole "王伟". Each LIKE is on its own NOCASE-indexed
    /// column, so SQLite answers the OR with an index range per column rather than a scan.
    private static let shortSearchSQL = """
        WITH hits AS (
            SELECT a.id AS id, a.last_folded AS last, a.first_folded AS first, \(tierSQL) AS tier
            FROM attendee a
            WHERE a.first_folded LIKE :pattern ESCAPE '\\' OR a.last_folded LIKE :pattern ESCAPE '\\'
                OR a.preferred_folded LIKE :pattern ESCAPE '\\' OR a.email_folded LIKE :pattern ESCAPE '\\'
                OR a.company_folded LIKE :pattern ESCAPE '\\' OR a.family_given_folded LIKE :pattern ESCAPE '\\'
                OR a.given_family_folded LIKE :pattern ESCAPE '\\'
            ORDER BY tier, last, first, id
            LIMIT :limit
        )
        SELECT hits.tier AS tier, a.record AS record
        FROM hits JOIN attendee a ON a.id = hits.id
        ORDER BY hits.tier, hits.last, hits.first, hits.id
        """
}
