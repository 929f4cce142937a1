import Attendees
import Badges
import Foundation
import LanyardSupport
import Testing

@Suite("CSV reader")
struct IntakeCSVReaderTests {
    func records(_ text: String) throws -> [CSVRecord] {
        var reader = CSVReader(string: text)
        var result: [CSVRecord] = []
        while let record = try reader.next() {
            result.append(record)
        }
        return result
    }

    @Test("Plain records with CRLF, LF and CR line ends")
    func lineEnds() throws {
        let expected = [
            CSVRecord(line: 1, fields: ["a", "b"]), CSVRecord(line: 2, fields: ["c", "d"]),
            CSVRecord(line: 3, fields: ["e", "f"]),
        ]
        #expect(try records("a,b\r\nc,d\r\ne,f\r\n") == expected)
        #expect(try records("a,b\nc,d\ne,f") == expected)
        #expect(try records("a,b\rc,d\re,f\r") == expected)
    }

    @Test("Quoted fields: commas, doubled quotes, newlines inside quotes")
    func quoting() throws {
        let text =
            "id,company,note\r\n1,\"Valenko, Chmil and Satsiuk\",\"said \"\"hi\"\"\"\r\n"
            + "2,\"two\r\nlines\",\"\"\r\n3,plain,end\r\n"
        let result = try records(text)
        #expect(
            result.map(\.fields) == [
                ["id", "company", "note"],
                ["1", "Valenko, Chmil and Satsiuk", "said \"hi\""],
                ["2", "two\r\nlines", ""],
                ["3", "plain", "end"],
            ])
        #expect(result.map(\.line) == [1, 2, 3, 5])
    }

    @Test("BOM is skipped, blank lines are skipped, empty fields are kept")
    func bomAndBlanks() throws {
        let result = try records("\u{FEFF}First Name,Email\n\nAnne,\n,\n")
        #expect(result.map(\.fields) == [["First Name", "Email"], ["Anne", ""], ["", ""]])
        #expect(result.map(\.line) == [1, 3, 4])
        #expect(try records("").isEmpty)
        #expect(try records("\"\"\n").map(\.fields) == [[""]], "a quoted empty field is a record")
    }

    @Test("Non-ASCII text passes through unchanged")
    func unicode() throws {
        #expect(try records("진호,이,\"Валенко, Чміль\",👩‍💻\n").first?.fields == ["진호", "이", "Валенко, Чміль", "👩‍💻"])
    }

    @Test("A stray quote inside an unquoted field is kept literally")
    func strayQuote() throws {
        #expect(try records("5\" screen,x\n").first?.fields == ["5\" screen", "x"])
    }

    @Test("Text after a closing quote fails that record only")
    func textAfterQuote() throws {
        var reader = CSVReader(string: "a,\"b\"x,c\nd,e,f\n")
        #expect(
            throws: CSVError(
                code: .textAfterClosingQuote, message: "text follows a closing quote inside a field",
                line: 1)
        ) {
            try reader.next()
        }
        #expect(try reader.next() == CSVRecord(line: 2, fields: ["d", "e", "f"]))
    }

    @Test("Invalid UTF-8 fails that record only")
    func invalidUTF8() throws {
        var reader = CSVReader(data: Data([0x61, 0x2C, 0xFF, 0xFE, 0x0A] + Array("ok,1\n".utf8)))
        var results: [Result<CSVRecord, CSVError>] = reader.readAll()
        #expect(results.count == 2)
        guard case .failure(let error) = results.removeFirst() else {
            Issue.record("expected an invalid UTF-8 error")
            return
        }
        #expect(error.code == .invalidUTF8)
        #expect(error.line == 1)
        #expect(try results.removeFirst().get() == CSVRecord(line: 2, fields: ["ok", "1"]))
    }

    @Test("An unterminated quote ends the input with an error naming the record's line")
    func unterminated() throws {
        var reader = CSVReader(string: "a,b\nc,\"never closed\nmore\n")
        #expect(try reader.next()?.fields == ["a", "b"])
        do throws(CSVError) {
            _ = try reader.next()
            Issue.record("expected an unterminated-quote error")
        } catch {
            #expect(error.code == .unterminatedQuote)
            #expect(error.line == 2)
        }
        #expect(try reader.next() == nil)
    }
}

@Suite("JSON Lines reader")
struct IntakeJSONLReaderTests {
    @Test("Yields non-blank lines with 1-based numbers, without line breaks")
    func lines() {
        let data = Data("\u{FEFF}{\"a\":1}\r\n\n   \n{\"b\":2}\n{\"c\":3}".utf8)
        let lines = Array(JSONLReader(data: data))
        #expect(lines.map(\.number) == [1, 4, 5])
        #expect(lines.map { String(decoding: $0.bytes, as: UTF8.self) } == ["{\"a\":1}", "{\"b\":2}", "{\"c\":3}"])
    }

    @Test("Invalid UTF-8 is passed through for intake to reject")
    func rawBytes() {
        let lines = Array(JSONLReader(data: Data([0x7B, 0xFF, 0x7D, 0x0A])))
        #expect(lines.first?.bytes == Data([0x7B, 0xFF, 0x7D]))
    }

    @Test("A missing file is an unreadable-file error")
    func missingFile() {
        #expect(throws: IntakeFileError.self) {
            try JSONLReader(contentsOf: URL(fileURLWithPath: "/nonexistent/lanyard/registrations.jsonl"))
        }
    }
}

@Suite("CSV intake")
struct IntakeCSVTests {
    typealias Support = IntakeTestSupport

    @Test("Rows map through the configured columns; lists split without a warning")
    func mapping() throws {
        var session = try Support.intake().makeSession()
        let csv =
            "\u{FEFF}Attendee #,First Name,Last Name,Email,Ticket Type,Dietary Requirements,Order Date,Extra\r\n"
            + "R-1,ANNE,\"van der Berg\",Anne@Example.ORG,vip,\"halal; vegan\",2026-10-20T00:26:47+05:30,x\r\n"
            + "R-2,,,b@example.org,VIP,,,\r\n"
            + "R-1,Anne,Berg,anne@example.org,VIP,,,\r\n"
            + "R-3,Too,Few\r\n"
        let batch = session.acceptCSV(data: Data(csv.utf8))
        #expect(batch.outcomes.count == 4)
        #expect(batch.fileIssues.map(\.fieldPath) == ["Extra"])
        let first = try #require(batch.outcomes[0].attendee)
        #expect(first.source == "csv")
        #expect(first.sourceID == "R-1")
        #expect(first.firstName == "Anne")
        #expect(first.lastName == "van der Berg")
        #expect(first.email == "Anne@example.org")
        #expect(first.accessTier == .vip)
        #expect(first.dietary == ["halal", "vegan"])
        #expect(first.registeredAtUTCOffsetSeconds == 19_800)
        #expect(!batch.outcomes[0].has(.coerced, at: "dietary"))
        #expect(batch.outcomes[0].has(.recased, at: "first_name"))
        #expect(batch.outcomes[1].errorCodes == [.emptyName])
        #expect(batch.outcomes[1].errors.first?.recordID == "R-2")
        #expect(batch.outcomes[2].errorCodes == [.duplicate])
        #expect(batch.outcomes[3].has(.malformedCSV, at: "$"))
        #expect(batch.outcomes[3].issues.first?.line == 5)
    }

    @Test("A column mapped to source and custom fields are honoured; csvSource is configurable")
    func sourceAndCustom() throws {
        var columns = EventConfiguration.defaultCSVColumns
        columns["System"] = "source"
        columns["T-Shirt"] = "custom.tshirt"
        let mapped = Intake(
            event: try EventConfiguration(
                slug: "devcon-2026", name: "DevCon", checkInSecret: Support.secret, csvColumns: columns))
        var session = mapped.makeSession()
        let batch = session.acceptCSV(
            data: Data(
                "System,Attendee #,First Name,Email,Ticket Type,T-Shirt\ncrm,9,Ada,a@example.org,Staff,XL\n".utf8))
        let attendee = try #require(batch.outcomes.first?.attendee)
        #expect(attendee.source == "crm")
        #expect(attendee.custom == ["tshirt": "XL"])
        #expect(attendee.attendeeID == StableAttendeeID.derive(source: "crm", sourceID: "9"))

        let renamed = Intake(
            event: try EventConfiguration(
                slug: "devcon-2026", name: "DevCon", checkInSecret: Support.secret, csvSource: "eventbrite"))
        var other = renamed.makeSession()
        let row = other.acceptCSV(data: Data("Attendee #,First Name,Email,Ticket Type\n9,Ada,a@example.org,Staff\n".utf8))
        #expect(row.outcomes.first?.attendee?.source == "eventbrite")
    }

    @Test("Two columns mapping to the same field make the header unusable")
    func ambiguousHeader() throws {
        var session = try Support.intake().makeSession()
        let batch = session.acceptCSV(data: Data("Email,email ,Attendee #\na@example.org,b@example.org,1\n".utf8))
        #expect(batch.fileIssues.contains { $0.code == .malformedCSV && $0.severity == .error })
        #expect(batch.outcomes.first?.has(.malformedCSV, at: "$") == true)
    }

    @Test("A header without the columns every record needs says so once, naming the expected headers and the one meant")
    func headerThatMapsNothingNeeded() throws {
        var session = try Support.intake().makeSession()
        let batch = session.acceptCSV(data: Data("Name,Mail,Ticket\nAda,ada@example.org,VIP\nBo,bo@example.org,VIP\n".utf8))
        let missing = try #require(batch.fileIssues.first { $0.code == .malformedCSV })
        #expect(missing.severity == .error)
        #expect(missing.reason.contains("no column maps to source_id (or attendee_id), email, ticket_type, a name"), "\(missing.reason)")
        #expect(missing.reason.contains("'Email' -> email") && missing.reason.contains("'Ticket Type' -> ticket_type"), "\(missing.reason)")
        let mail = try #require(batch.fileIssues.first { $0.fieldPath == "Mail" })
        #expect(mail.code == .unknownField && mail.reason.hasSuffix("(did you mean 'Email'?)"), "\(mail.reason)")
        // Every row is rejected for that one reason, not for four missing fields each.
        #expect(batch.outcomes.count == 2)
        #expect(batch.outcomes.allSatisfy { $0.errorCodes == [.malformedCSV] })

        // A header with what records need raises no such error.
        var good = try Support.intake().makeSession()
        let mapped = good.acceptCSV(data: Data("Attendee #,First Name,Email,Ticket Type\n1,Ada,a@example.org,VIP\n".utf8))
        #expect(mapped.fileIssues.isEmpty)
        #expect(mapped.outcomes.first?.isAccepted == true)
    }

    @Test("A CSV reader error becomes a rejected outcome for that line")
    func readerErrors() throws {
        var session = try Support.intake().makeSession()
        let batch = session.acceptCSV(
            data: Data(
                "Attendee #,First Name,Email,Ticket Type\n1,\"Ada\"x,a@example.org,VIP\n2,Bo,b@example.org,VIP\n".utf8))
        #expect(batch.outcomes.count == 2)
        #expect(batch.outcomes[0].has(.malformedCSV, at: "$"))
        #expect(batch.outcomes[0].issues.first?.line == 2)
        #expect(batch.outcomes[1].isAccepted)
    }
}
