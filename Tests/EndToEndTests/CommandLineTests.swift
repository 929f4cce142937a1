import Foundation
import Testing

/// The `lanyard` executable as a user runs it: outputs, rejections and documented exit codes.
@Suite(.serialized) final class CommandLineTests {
    /// Files a test writes for the command to read, removed with the test.
    let scratch: URL

    init() throws { scratch = try temporaryDirectory() }

    deinit { try? FileManager.default.removeItem(at: scratch) }

    /// `swift build --build-tests` puts the executable next to the test bundle.
    static let executable: URL? = {
        let candidates = [
            URL(filePath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(),
        ].map { $0.appending(path: "lanyard") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    func lanyard(_ arguments: String...) throws -> LanyardRun { try runLanyard(arguments) }

    /// A JSONL file with the given raw records.
    func records(_ lines: [String]) throws -> URL {
        let url = scratch.appending(path: "records-\(UUID().uuidString).jsonl")
        try Data(lines.joined(separator: "\n").utf8).write(to: url)
        return url
    }

    static let good =
        #"{"source":"crm","source_id":"R-1","event_slug":"devcon-2026","first_name":"Ada","last_name":"Lovelace","email":"ada@Example.ORG","ticket_type":"vip"}"#
    static let badEmail =
        #"{"source":"crm","source_id":"R-2","event_slug":"devcon-2026","first_name":"Bad","email":"nope at example.org","ticket_type":"VIP"}"#

    /// `make demo`'s command off a terminal: renders, starts the agent, prints its URL, prints the
    /// sample badges through the queue to the simulator, then stops on its own.
    @Test func theDemoRendersThenRunsTheAgentAndStops() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try lanyard("demo", "--out", directory.path, "--listen", "127.0.0.1:0")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("The agent is serving at http://127.0.0.1:"))
        #expect(run.stdout.contains("Printed 19 of 19 sample badges"))
        let labels = try FileManager.default.contentsOfDirectory(atPath: directory.appending(path: "agent/sim").path)
            .filter { $0.hasPrefix("label-") && $0.hasSuffix(".png") }
        #expect(labels.count == 19)
        #expect(FileManager.default.fileExists(atPath: directory.appending(path: "standard/standard.pdf").path))
    }

    @Test func rendersZPLAndEPLForOneRecord() throws {
        let input = try records([Self.good])
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let zpl = directory.appending(path: "badge.zpl"), epl = directory.appending(path: "badge.epl")
        let first = try lanyard(
            "render", "--template", "Templates/standard", "--attendee", input.path,
            "--profile", "zebra-zd621d-300", "--format", "zpl", "--out", zpl.path)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try String(contentsOf: zpl, encoding: .utf8).hasPrefix("~SD"))
        let second = try lanyard(
            "render", "--template", "Templates/vip", "--attendee", input.path, "--record", "1",
            "--profile", "zebra-gc420d-203", "--format", "epl", "--out", epl.path, "--speed", "9")
        #expect(second.status == 0, "\(second.stderr)")
        #expect(
            second.stderr.contains("clamped") || second.stderr.contains("outside"), "a speed above the printer's is clamped with a warning")
        #expect(try Data(contentsOf: epl).starts(with: Data("\nN\n".utf8)))
    }

    @Test func documentedExitCodes() throws {
        let never = scratch.appending(path: "never.zpl").path
        let bad = try records([Self.badEmail])
        let rejected = try lanyard(
            "render", "--template", "Templates/standard", "--attendee", bad.path,
            "--profile", "zebra-zd621d-300", "--format", "zpl", "--out", never)
        #expect(rejected.status == 1)
        #expect(rejected.stderr.contains("intake.invalid_email"))

        let good = try records([Self.good])
        let unknownProfile = try lanyard(
            "render", "--template", "Templates/standard", "--attendee", good.path,
            "--profile", "zebra-zz999", "--format", "zpl", "--out", never)
        #expect(unknownProfile.status == 66, "\(unknownProfile.stderr)")
        #expect(unknownProfile.stderr.contains("zebra-zz999"))

        let missingBundle = try lanyard("templates", "check", "Templates/does-not-exist")
        #expect(missingBundle.status == 66)

        let usage = try lanyard("render", "--template", "Templates/standard")
        #expect(usage.status == 64)

        let wrongRecord = try lanyard(
            "render", "--template", "Templates/standard", "--attendee", good.path, "--record", "9",
            "--profile", "zebra-zd621d-300", "--format", "zpl", "--out", never)
        #expect(wrongRecord.status == 64)
        #expect(!FileManager.default.fileExists(atPath: never), "nothing is written when the command fails")
    }

    @Test func batchWritesBadgesAndReasonsAndNeverStopsOnABadRecord() throws {
        let lines = try String(
            contentsOf: repositoryRoot.appending(path: "Tests/BadgesTests/Fixtures/registrations.jsonl"), encoding: .utf8
        )
        .split(separator: "\n").prefix(150).map(String.init)
        let input = try records(lines + ["{not json", Self.badEmail])
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try lanyard(
            "batch", "--template", "Templates/standard", "--input", input.path,
            "--profile", "zebra-zd421d-203", "--format", "zpl", "png", "--out", directory.path, "--json")
        #expect(run.status == 0, "\(run.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let accepted = try #require(summary["accepted"] as? Int), rejected = try #require(summary["rejected"] as? Int)
        #expect(accepted + rejected == 152)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(files.filter { $0.hasSuffix(".zpl") }.count == accepted)
        #expect(files.filter { $0.hasSuffix(".png") }.count == accepted)
        let rejections = try String(contentsOf: directory.appending(path: "rejected.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(rejections.count == rejected)
        let codes = rejections.compactMap { ($0?["reasons"] as? [[String: Any]])?.first?["code"] as? String }
        #expect(codes.contains("intake.malformed_json"))
        #expect(codes.contains("intake.invalid_email"))
        #expect(rejections.allSatisfy { $0?["stage"] as? String == "intake" && $0?["record_id"] != nil })
    }

    @Test func templateCheckPassesShippedTemplatesAndFailsAnOverflowingOne() throws {
        let clean = try lanyard("templates", "check", "Templates/speaker")
        #expect(clean.status == 0, "\(clean.stdout)")
        #expect(clean.stdout.contains("0 error(s), 0 warning(s)"))

        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.copyItem(
            at: repositoryRoot.appending(path: "Templates/staff/fonts"), to: directory.appending(path: "fonts"))
        try Data(
            """
            format: lanyard-template/1
            name: cramped
            version: 0.1.0
            stock: { size: 2x1in }
            fonts: [fonts/NotoSans-Regular.ttf]
            elements:
              - { type: text, text: "{first_name} {last_name} {company}", box: [2, 2, 20, 4], font: { families: [Noto Sans], size: 12 }, overflow: [wrap] }
            """.utf8
        ).write(to: directory.appending(path: "template.yaml"))
        let unsigned = try lanyard("templates", "check", directory.path)
        #expect(unsigned.status == 66, "no manifest yet")
        #expect(try lanyard("templates", "manifest", directory.path).status == 0)
        let cramped = try lanyard("templates", "check", directory.path)
        #expect(cramped.status == 1)
        #expect(cramped.stdout.contains("text.overflow"))

        // A placeholder naming no field would print blank on every badge: an error, with the
        // field that was probably meant.
        try Data(
            """
            format: lanyard-template/1
            name: misspelt
            version: 0.1.0
            stock: { size: 2x1in }
            fonts: [fonts/NotoSans-Regular.ttf]
            elements:
              - { type: text, text: "{first_name} ({pronoun})", box: [2, 2, 40, 8], font: { families: [Noto Sans], size: 10 } }
            """.utf8
        ).write(to: directory.appending(path: "template.yaml"))
        #expect(try lanyard("templates", "manifest", directory.path).status == 0)
        let misspelt = try lanyard("templates", "check", directory.path)
        #expect(misspelt.status == 1, "\(misspelt.stdout)")
        #expect(
            misspelt.stdout.contains("template.unknown_field: 'pronoun' is not a field; did you mean 'pronouns'?"), "\(misspelt.stdout)")
    }

    /// BadgePolicy on the command line: an element off the stock prints but is an error (render
    /// writes the badge and exits 1); a font the template names and nobody has keeps the badge
    /// from being written at all.
    @Test func renderExitsOneOnTemplateErrorsAndWritesNothingForAMissingFont() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.copyItem(
            at: repositoryRoot.appending(path: "Templates/staff/fonts"), to: directory.appending(path: "fonts"))
        func template(family: String, box: String) throws {
            try Data(
                """
                format: lanyard-template/1
                name: policy
                version: 0.1.0
                stock: { size: 2x1in }
                fonts: [fonts/NotoSans-Regular.ttf]
                elements:
                  - { type: text, text: "{first_name}", box: \(box), font: { families: [\(family)], size: 10 } }
                """.utf8
            ).write(to: directory.appending(path: "template.yaml"))
            #expect(try lanyard("templates", "manifest", directory.path).status == 0)
        }
        let out = directory.appending(path: "badge.zpl").path
        let attendee = repositoryRoot.appending(path: "Templates/sample-attendees.jsonl").path

        try template(family: "Noto Sans", box: "[40, 2, 20, 6]")
        let offStock = try lanyard(
            "render", "--template", directory.path, "--attendee", attendee, "--record", "1",
            "--profile", "zebra-zd621d-300", "--format", "zpl", "--out", out)
        #expect(offStock.status == 1, "\(offStock.stderr)")
        #expect(offStock.stderr.contains("layout.outside_stock"))
        #expect(FileManager.default.fileExists(atPath: out), "the badge is written: it prints, but the template needs fixing")
        try FileManager.default.removeItem(atPath: out)

        try template(family: "No Such Family Anywhere", box: "[2, 2, 20, 6]")
        let noFont = try lanyard(
            "render", "--template", directory.path, "--attendee", attendee, "--record", "1",
            "--profile", "zebra-zd621d-300", "--format", "zpl", "--out", out)
        #expect(noFont.status == 1, "\(noFont.stderr)")
        #expect(noFont.stderr.contains("font.missing"))
        #expect(!FileManager.default.fileExists(atPath: out), "nothing is written for a badge that must not print")
        let check = try lanyard("templates", "check", directory.path)
        #expect(check.status == 1 && check.stdout.contains("error: font.missing"), "\(check.stdout)")
    }
}
