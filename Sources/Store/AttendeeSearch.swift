public import Attendees
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
        /// The query occurs inside a name (queries of three characters or more).
        case nameContains
        /// The email contains the query (starts with it, for a query under three characters).
        case email
        /// The company contains the query (starts with it, for a query under three characters).
        case company
        /// Every word of the query occurs, but not the query as a whole in one field: the words
        /// apart in one field ("zoe muller" for Zoë Ångström-Müller), or spread over several.
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
    /// What matches: a query of three characters or more matches any substring of a name, email
    /// or company, also in scripts without spaces; in a query of several words each word of
    /// three characters or more must occur somewhere and shorter words must occur too. A shorter
    /// query (one or two characters) matches the start of a name, a word of a name, an email or
    /// a company. The query is always data: it is quoted for FTS5 and bound as a parameter, so
    /// quotes and operators in it never throw.
    ///
    /// Ranking: by `AttendeeMatch.Kind` — exact name, name or name word starting with the query,
    /// name containing it, email, company, words apart — and within a kind by family name,
    /// given name, then cache order. Among the words-apart matches, those with all the words in
    /// one field come before those with them spread over several.
    ///
    /// Cost does not grow with the number of matches: each kind is one lookup in a trigram
    /// index (one per field, see `Schema`) that stops after the first `rankingWindow` members
    /// of that kind in cache order (the order attendees were first stored), or `limit` if that
    /// is larger; only those are sorted by name. So when one kind has more members than the
    /// window — "王" or "example.com" in a roster of 100,000 — which of them are shown follows
    /// cache order, though every member of a better kind still comes first, and a kind with
    /// fewer members (any query that narrows the search down) is ranked exactly. Kinds are
    /// looked up best first and the search stops as soon as `limit` hits are found; a later
    /// lookup skips the members of earlier kinds with a test on the row, which costs at most
    /// `limit` rows since fewer than `limit` were found. The words-apart kind examines at most
    /// `AttendeeSearch.scanLimit` attendees having its rarest word. Full-text relevance (bm25)
    /// is not used: it needed every hit scored. A `limit` above 2³¹ counts as 2³¹.
    public func searchAttendees(_ query: String, limit: Int) throws(StoreError) -> [AttendeeMatch] {
        let folded = SearchFolding.fold(query)
        guard !folded.isEmpty, limit > 0 else { return [] }
        let search = AttendeeSearch(folded: folded, limit: min(limit, Int(Int32.max)))
        return try read { db in try search.run(db) }
    }
}

/// One search: its ranking tiers, each a full-text lookup plus the tests on the row that tell
/// its kind, and how they are run.
struct AttendeeSearch {
    /// Members of one tier ranked by name; see `LanyardStore.searchAttendees`. Sorting 100 rows
    /// costs a fraction of a millisecond, and a kiosk shows about 20.
    static let rankingWindow = 100

    /// Attendees a words-apart tier examines, counted before its word tests: those tiers look
    /// up one word (or all long words in one field) and test the rest on the row, so the share
    /// that passes has no lower bound. 200 rows are well under a millisecond. A query whose
    /// words are each found more often than that can miss some words-apart matches; such a
    /// query does not narrow a kiosk search anyway.
    static let scanLimit = 200

    /// A SQL test on the attendee row `a`, with its arguments in order.
    struct Condition {
        var sql: String
        var arguments: [String]

        static func all(_ conditions: [Condition]) -> Condition {
            Condition(sql: conditions.map { "(\($0.sql))" }.joined(separator: " AND "), arguments: conditions.flatMap(\.arguments))
        }

        static func any(_ conditions: [Condition]) -> Condition {
            Condition(sql: conditions.map { "(\($0.sql))" }.joined(separator: " OR "), arguments: conditions.flatMap(\.arguments))
        }
    }

    /// The three trigram indexes and the row column each indexes (`Schema`, v8).
    enum Field: CaseIterable {
        case name, email, company

        var table: String {
            switch self {
            case .name: "attendee_name_search"
            case .email: "attendee_email_search"
            case .company: "attendee_company_search"
            }
        }

        /// The name column holds the name document, whose words are whole folded words; the
        /// email and company columns hold the folded field.
        func contains(_ text: String) -> Condition {
            switch self {
            case .name: Condition(sql: "instr(a.name_text, ?) > 0", arguments: [text])
            case .email: Condition(sql: "instr(a.email_folded, ?) > 0", arguments: [text])
            case .company: Condition(sql: "instr(a.company_folded, ?) > 0", arguments: [text])
            }
        }

        func starts(with text: String) -> Condition {
            switch self {
            case .name: Condition(sql: "instr(a.name_text, ?) > 0", arguments: ["\n\n" + text])
            case .email: Condition(sql: "instr(a.email_folded, ?) = 1", arguments: [text])
            case .company: Condition(sql: "instr(a.company_folded, ?) = 1", arguments: [text])
            }
        }
    }

    /// An FTS5 query on one field's index.
    struct Lookup {
        var field: Field
        var match: String
    }

    struct Tier {
        /// The kinds it ranks, best first: a row takes the first whose test it passes (the last
        /// needs none).
        var kinds: [(kind: AttendeeMatch.Kind, test: Condition?)]
        /// Candidates: the union of these lookups, in cache order.
        var lookups: [Lookup]
        /// Passes for a row of this tier or of any earlier one: the next tier skips such rows.
        var upTo: Condition
        /// What a candidate must pass to be in this tier: the lookups find a superset (see
        /// `match`), and the words-apart tiers test the words they did not look up.
        var filter: Condition?
        /// How many candidates are examined at most (nil: until the window is full).
        var scanLimit: Int?

        /// A tier of one kind: its candidates must pass `test`.
        init(_ kind: AttendeeMatch.Kind, _ lookups: [Lookup], test: Condition, upTo: Condition, scanLimit: Int? = nil) {
            self.init(kinds: [(kind, nil)], lookups: lookups, upTo: upTo, filter: test, scanLimit: scanLimit)
        }

        init(
            kinds: [(kind: AttendeeMatch.Kind, test: Condition?)], lookups: [Lookup], upTo: Condition,
            filter: Condition?, scanLimit: Int? = nil
        ) {
            self.kinds = kinds
            self.lookups = lookups
            self.upTo = upTo
            self.filter = filter
            self.scanLimit = scanLimit
        }
    }

    enum Step {
        case tier(Tier)
        /// One lookup for several tiers, used when all its candidates fit in the ranking window
        /// (then it ranks them exactly); otherwise the tiers run one after another.
        case merged(Tier, otherwise: [Tier])
        /// Long words in different fields: built when reached, since it starts from the word
        /// found in the fewest attendees, which takes counting.
        case apart(longWords: [String], everyWord: Condition)
    }

    let limit: Int
    let steps: [Step]

    init(folded query: String, limit: Int) {
        self.limit = limit
        let text = SearchFolding.documentForm(query)
        let whole = Field.name.contains("\n" + text + "\n")
        let start = Condition.any([Field.name.starts(with: text), Field.name.contains("  " + text)])
        let exact = Tier(.exactName, [Lookup(field: .name, match: Self.match("\n" + text + "\n"))], test: whole, upTo: whole)
        // "\n\n" + text also starts a whole name, so `start` covers the exact tier too.
        let prefix = Tier(
            .namePrefix, [Lookup(field: .name, match: Self.match("\n\n" + text) + " OR " + Self.match("  " + text))],
            test: start, upTo: start)
        guard SearchFolding.length(query) >= 3 else {
            // Under three characters there are no trigrams of the query alone: only the starts
            // of fields, whose marks make the pattern three characters long.
            let email = Tier(
                .email, [Lookup(field: .email, match: Self.match("\n\n" + query))],
                test: Field.email.starts(with: query), upTo: .any([start, Field.email.starts(with: query)]))
            let company = Tier(
                .company, [Lookup(field: .company, match: Self.match("\n\n" + query))],
                test: Field.company.starts(with: query), upTo: .any([email.upTo, Field.company.starts(with: query)]))
            steps = [exact, prefix, email, company].map(Step.tier)
            return
        }
        let inName = Field.name.contains(text)
        let contains = Tier(.nameContains, [Lookup(field: .name, match: Self.match(text))], test: inName, upTo: inName)
        let email = Tier(
            .email, [Lookup(field: .email, match: Self.match(query))], test: Field.email.contains(query),
            upTo: .any([inName, Field.email.contains(query)]))
        let company = Tier(
            .company, [Lookup(field: .company, match: Self.match(query))], test: Field.company.contains(query),
            upTo: .any([email.upTo, Field.company.contains(query)]))
        let words = query.split(separator: " ").map(String.init)
        guard words.count > 1 else {
            steps = [exact, prefix, contains, email, company].map(Step.tier)
            return
        }
        // Several words are rarely found in many names together: one lookup of the names that
        // contain the query, sorted into the three name kinds, usually replaces three.
        let names = Tier(
            kinds: [(.exactName, whole), (.namePrefix, start), (.nameContains, nil)],
            lookups: contains.lookups, upTo: inName, filter: inName)
        var plan: [Step] = [.merged(names, otherwise: [exact, prefix, contains]), .tier(email), .tier(company)]
        let long = words.filter { SearchFolding.length($0) >= 3 }
        let everyWord = Condition.all(words.map { word in .any(Field.allCases.map { $0.contains(word) }) })
        if !long.isEmpty {
            // All long words in one field: FTS5 intersects them within each field's index.
            let together = long.map(Self.match).joined(separator: " AND ")
            let oneField = Condition.any(Field.allCases.map { field in .all(long.map(field.contains)) })
            plan.append(
                .tier(
                    Tier(
                        .severalFields, Field.allCases.map { Lookup(field: $0, match: together) },
                        test: .all([oneField, everyWord]), upTo: .any([company.upTo, oneField]),
                        scanLimit: max(Self.scanLimit, limit))))
        }
        if long.count > 1 { plan.append(.apart(longWords: long, everyWord: everyWord)) }
        steps = plan
    }

    func run(_ db: Database) throws -> [AttendeeMatch] {
        var found: [(id: Int64, kind: AttendeeMatch.Kind)] = []
        var seen: Set<Int64> = []
        var skipping: Condition?
        var steps = self.steps[...]
        func take(_ hits: some Sequence<(id: Int64, kind: AttendeeMatch.Kind)>, upTo: Condition) {
            for hit in hits where seen.insert(hit.id).inserted { found.append(hit) }
            skipping = upTo
        }
        while found.count < limit, let step = steps.popFirst() {
            let need = limit - found.count
            switch step {
            case let .tier(tier):
                take(try hits(of: tier, skipping: skipping, window: max(Self.rankingWindow, need), need: need, db), upTo: tier.upTo)
            case let .merged(tier, otherwise):
                let window = max(Self.rankingWindow, need)
                let all = try hits(of: tier, skipping: skipping, window: window + 1, need: window + 1, db)
                if all.count <= window {
                    take(all.prefix(need), upTo: tier.upTo)
                } else {
                    steps.insert(contentsOf: otherwise.map(Step.tier), at: steps.startIndex)
                }
            case let .apart(longWords, everyWord):
                let tier = try apartTier(longWords: longWords, everyWord: everyWord, db)
                take(try hits(of: tier, skipping: skipping, window: max(Self.rankingWindow, need), need: need, db), upTo: tier.upTo)
            }
        }
        let decoder = JSONDecoder()
        let read = try db.cachedStatement(sql: "SELECT record FROM attendee WHERE id = ?")
        return try found.compactMap { hit in
            guard let record = try Data.fetchOne(read, arguments: [hit.id]) else { return nil }
            return AttendeeMatch(attendee: try LanyardStore.decodeAttendee(record, using: decoder), kind: hit.kind)
        }
    }

    /// Starts from the long word found in the fewest attendees (counted up to the scan limit),
    /// so that when that word is rare enough every words-apart match is examined.
    private func apartTier(longWords: [String], everyWord: Condition, _ db: Database) throws -> Tier {
        let scan = max(Self.scanLimit, limit)
        let count = try db.cachedStatement(
            sql: """
                SELECT count(*) FROM (\(Field.allCases.map { "SELECT rowid FROM \($0.table) WHERE \($0.table) MATCH ?" }
                .joined(separator: " UNION ALL ")) LIMIT ?)
                """)
        var anchor = longWords[0]
        var fewest = Int.max
        for word in longWords {
            let match = Self.match(word)
            let found = try Int.fetchOne(count, arguments: [match, match, match, scan + 1]) ?? 0
            if found < fewest || (found == fewest && SearchFolding.length(word) > SearchFolding.length(anchor)) {
                anchor = word
                fewest = found
            }
        }
        return Tier(
            .severalFields, Field.allCases.map { Lookup(field: $0, match: Self.match(anchor)) },
            test: everyWord, upTo: everyWord, scanLimit: scan)
    }

    /// Up to `need` members of `tier`, best first: the first `window` candidates in cache order
    /// that pass its filter and `skipping` does not, sorted by kind and name.
    private func hits(
        of tier: Tier, skipping: Condition?, window: Int, need: Int,
        _ db: Database
    ) throws -> [(id: Int64, kind: AttendeeMatch.Kind)] {
        var arguments: [(any DatabaseValueConvertible)?] = []
        func bind(_ values: [String]) { arguments += values.map { $0 as (any DatabaseValueConvertible)? } }
        var rank = "0"
        if tier.kinds.count > 1 {
            let tests = tier.kinds.enumerated().compactMap { index, kind in kind.test.map { (index, $0) } }
            rank =
                "CASE " + tests.map { test in "WHEN \(test.1.sql) THEN \(test.0)" }.joined(separator: " ")
                + " ELSE \(tier.kinds.count - 1) END"
            bind(tests.flatMap { $0.1.arguments })
        }
        let source: String
        if tier.lookups.count == 1, tier.scanLimit == nil {
            let table = tier.lookups[0].field.table
            source = "(SELECT rowid AS id FROM \(table) WHERE \(table) MATCH ?)"
            bind([tier.lookups[0].match])
        } else {
            // A merge of the lookups in rowid order; SQLite streams each from its index.
            let union = tier.lookups.map { "SELECT rowid AS id FROM \($0.field.table) WHERE \($0.field.table) MATCH ?" }
                .joined(separator: " UNION ")
            source = "(\(union) ORDER BY 1\(tier.scanLimit == nil ? "" : " LIMIT ?"))"
            bind(tier.lookups.map(\.match))
            if let scanLimit = tier.scanLimit { arguments.append(scanLimit) }
        }
        let tests = [tier.filter, skipping.map { Condition(sql: "NOT (\($0.sql))", arguments: $0.arguments) }].compactMap { $0 }
        bind(tests.flatMap(\.arguments))
        arguments += [window, need]
        let statement = try db.cachedStatement(
            sql: """
                SELECT id, rank FROM (
                    SELECT a.id AS id, \(rank) AS rank, a.last_folded AS last, a.first_folded AS first
                    FROM \(source) AS hit JOIN attendee a ON a.id = hit.id
                    \(tests.isEmpty ? "" : "WHERE " + Condition.all(tests).sql)
                    LIMIT ?
                ) ORDER BY rank, last, first, id LIMIT ?
                """)
        return try Row.fetchAll(statement, arguments: StatementArguments(arguments)).map { row in
            let id: Int64 = row[0]
            let rank: Int = row[1]
            return (id, tier.kinds[min(rank, tier.kinds.count - 1)].kind)
        }
    }

    /// An FTS5 query for the rows whose text contains `text`, or a few more. Up to six
    /// characters it is the text as one phrase. A longer text becomes the AND of its successive
    /// three-character pieces (the last one ending where the text ends), each a single trigram:
    /// FTS5 then intersects a few doclists instead of matching positions across every trigram
    /// of the text, two to three times faster for a full name. The pieces can also occur apart,
    /// which is why every tier tests its candidates on the row as well.
    static func match(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        guard scalars.count > 6 else { return phrase(text) }
        func piece(_ start: Int) -> String { String(String.UnicodeScalarView(scalars[start..<(start + 3)])) }
        var pieces = stride(from: 0, to: scalars.count - 2, by: 3).map(piece)
        if !scalars.count.isMultiple(of: 3) { pieces.append(piece(scalars.count - 3)) }
        return "(" + pieces.map(phrase).joined(separator: " AND ") + ")"
    }

    /// Text as an FTS5 string: inside double quotes every character is literal, and a double
    /// quote is written twice.
    static func phrase(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
