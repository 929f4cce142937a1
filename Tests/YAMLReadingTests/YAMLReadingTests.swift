import Foundation
import Testing
import Yams

@testable import YAMLReading

/// The YAML reader every configuration goes through: the same answers as Yams' own decoder,
/// and every mistake a person makes in a file named by its path, with the key probably meant.
@Suite struct YAMLReadingTests {
    struct Printer: Decodable, Equatable {
        var address: String
        var profile: String?

        enum CodingKeys: String, CodingKey, CaseIterable { case address, profile }

        init(from decoder: any Decoder) throws {
            try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            address = try c.decode(String.self, forKey: .address)
            profile = try c.decodeIfPresent(String.self, forKey: .profile)
        }
    }

    struct Settings: Decodable, Equatable {
        var printers: [Printer]
        var maxQueued: Int

        enum CodingKeys: String, CodingKey, CaseIterable { case printers, maxQueued = "max_queued" }

        init(from decoder: any Decoder) throws {
            try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            printers = try c.decode([Printer].self, forKey: .printers)
            maxQueued = try c.decode(Int.self, forKey: .maxQueued)
        }
    }

    @Test func aDocumentReadsAsYamsReadsIt() throws {
        let text = """
            max_queued: 50
            printers:
              - { address: "tcp://10.0.0.7", profile: zebra-zd421d-300 }
              - address: usb
            """
        let ours = try YAMLReader.decode(Settings.self, from: text)
        #expect(ours.maxQueued == 50)
        #expect(ours.printers.map(\.address) == ["tcp://10.0.0.7", "usb"])
        #expect(ours.printers.map(\.profile) == ["zebra-zd421d-300", nil])
        #expect(try YAMLDecoder().decode(Settings.self, from: text) == ours)
    }

    @Test func aMisspeltKeyIsRefusedAtItsPathWithTheKeyMeant() {
        let text = "max_queued: 5\nprinters:\n  - adress: usb\n"
        #expect {
            try YAMLReader.decode(Settings.self, from: text)
        } throws: { error in
            guard let error = error as? DecodingError, case .dataCorrupted(let context) = error else { return false }
            return renderCodingPath(context.codingPath) == "printers[0].adress"
                && context.debugDescription.contains("did you mean 'address'?")
        }
    }

    @Test func aValueOfTheWrongKindNamesWhatWasExpected() {
        #expect {
            try YAMLReader.decode(Settings.self, from: "max_queued: lots\nprinters: []\n")
        } throws: { error in
            guard let error = error as? DecodingError else { return false }
            return error.settingPath == "max_queued" && error.plainReason == "expected a whole number"
        }
    }

    @Test func theClosestKeyIsFoundOnlyWhenItIsClose() {
        let known = ["admin_token", "listen", "data_dir", "printer"]
        #expect(closestKey(to: "admin-token", among: known) == "admin_token")
        #expect(closestKey(to: "Listen", among: known) == "listen")
        #expect(closestKey(to: "printre", among: known) == "printer")
        #expect(closestKey(to: "colour", among: known) == nil)
    }
}
