import Agent
import Attendees
import Badges
import Foundation
import Store
import Testing

/// `lanyard import`'s work: the fixture registrations land in the attendee cache or, when intake
/// rejects them, in the dead letters with their original bytes, and importing again adds nobody.
@Suite struct AttendeeImportTests {
    static let root = AgentAPITests.repositoryRoot
    let event: EventConfiguration
    let directory: URL
    let store: LanyardStore

    init() throws {
        event = try EventConfiguration.load(file: Self.root.appending(path: "Templates/sample-event.yaml"))
        directory = FileManager.default.temporaryDirectory.appending(path: "lanyard-import-\(UUID().uuidString)")
        store = try LanyardStore(path: directory.appending(path: "lanyard.sqlite").path)
    }

    @Test func theFixtureRegistrationsAreCachedOrDeadLettered() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = Self.root.appending(path: "Tests/BadgesTests/Fixtures/registrations.jsonl")
        let summary = try AttendeeImport(event: event, store: store).run(file: file, correlationID: "import-test")

        var session = Intake(event: event).makeSession()
        let expected = try session.acceptJSONLines(in: file).outcomes
        #expect(summary.accepted == expected.filter(\.isAccepted).count)
        #expect(summary.accepted + summary.rejected == 1200)
        #expect(try store.attendeeCount() == summary.accepted)

        let letters = try store.deadLetters(limit: 2000)
        #expect(letters.count == summary.rejected)
        let lines = Array(JSONLReader(data: try Data(contentsOf: file)))
        let rejectedLines = zip(lines, expected).filter { !$0.1.isAccepted }
        for (letter, (line, outcome)) in zip(letters.sorted { $0.id < $1.id }, rejectedLines) {
            #expect(letter.payload == line.bytes, "the dead letter keeps line \(line.number) byte for byte")
            #expect(letter.code == (outcome.errors.first ?? outcome.issues.first)?.code.rawValue)
            #expect(letter.stage == .intake)
        }

        let again = try AttendeeImport(event: event, store: store).run(file: file, correlationID: "import-test-2")
        #expect(again.accepted == summary.accepted)
        #expect(try store.attendeeCount() == summary.accepted, "stable ids: a second import updates, never duplicates")
    }

    /// A CSV row intake rejects is kept as a registration object, so it can be fixed and replayed.
    @Test func aRejectedCSVRowIsKeptAsARegistration() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let csv = directory.appending(path: "drop.csv")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(
            """
            Attendee #,First Name,Last Name,Email,Ticket Type
            C-1,Grace,Hopper,grace@example.org,VIP
            C-2,No,Email,not-an-email,VIP

            """.utf8
        ).write(to: csv)
        let summary = try AttendeeImport(event: event, store: store).run(file: csv, correlationID: "csv")
        #expect(summary.accepted == 1)
        #expect(summary.rejected == 1)
        let letter = try #require(try store.deadLetters(limit: 5).first)
        #expect(letter.code == "intake.invalid_email")
        let object = try #require(try JSONSerialization.jsonObject(with: letter.payload) as? [String: Any])
        #expect(object["source_id"] as? String == "C-2")
        #expect(object["email"] as? String == "not-an-email")
        #expect(try store.searchAttendees("hopper", limit: 5).first?.attendee.lastName == "Hopper")
    }

    @Test func aCSVWhoseHeaderMapsNothingNeededIsExplainedOnce() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let csv = directory.appending(path: "export.csv")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data("Name,Mail,Ticket\nAda,ada@example.org,VIP\n".utf8).write(to: csv)
        let summary = try AttendeeImport(event: event, store: store).run(file: csv, correlationID: "csv")
        #expect(summary.accepted == 0 && summary.rejected == 1)
        #expect(summary.headerIssues.contains { $0.severity == .error && $0.reason.contains("csv_columns expect these headers") })
        #expect(summary.headerIssues.contains { $0.fieldPath == "Mail" && $0.reason.contains("did you mean 'Email'?") })
    }
}
