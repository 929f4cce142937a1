@testable import Agent
import Foundation
import Store
import Testing

/// The agent's JSON writer and timestamps against Foundation's: the same bytes as
/// `JSONSerialization` with `.sortedKeys` and as `ISO8601DateFormatter`, without their ICU.
@Suite struct JSONTextTests {
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func foundation(_ object: [String: Any], escapingSlashes: Bool) -> String? {
        let options: JSONSerialization.WritingOptions = escapingSlashes ? [.sortedKeys] : [.sortedKeys, .withoutEscapingSlashes]
        return (try? JSONSerialization.data(withJSONObject: object, options: options)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Keys from the alphabet the writer sorts itself, in every arrangement that matters: shared
    /// stems, `_`/`-`/`.` against digits and letters, digit runs of different lengths.
    static func randomKeys(count: Int, using generator: inout SeededGenerator) -> [String] {
        let pieces = ["a", "b", "z", "id", "at", "_", "-", ".", "0", "1", "2", "9", "10", "12", "100", "job", "job_id", "state"]
        return (0..<count).map { _ in
            (0..<Int.random(in: 1...4, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
        }.filter(JSONText.isCollatable)
    }

    @Test func sortsKeysAsJSONSerializationDoes() {
        var generator = SeededGenerator(state: 17)
        for _ in 0..<300 {
            let keys = Self.randomKeys(count: 12, using: &generator)
            let object = Dictionary(keys.map { ($0, 1 as Any) }, uniquingKeysWith: { first, _ in first })
            #expect(JSONText.object(object, escapingSlashes: true) == Self.foundation(object, escapingSlashes: true), "\(keys)")
        }
    }

    @Test func writesTheAgentsValuesAsJSONSerializationDoes() {
        let objects: [[String: Any]] = [
            ["id": 7, "state": "queued", "printer": "sim", "attempts": 0, "idempotency_key": "attendee:a/b",
             "correlation_id": "d496a355", "created_at": "2026-11-22T12:08:40Z", "attendee_id": "74c89e1f", "duplicate": true],
            ["error": ["code": "intake.rejected", "message": "the registration \"cannot\" become a badge", "correlation_id": "c",
                       "dead_letter_id": Int64(12),
                       "issues": [["code": "x", "field": "$.email", "reason": "tab\there\nnew line \u{1}\u{1f}\u{7f} é 😀", "severity": "error"]]] as [String: Any]],
            ["ratio": 0.5, "whole": 2.0, "big": 1e300, "small": -1.5e-7, "neg": -3, "u8": UInt8(255), "i16": Int16(-5),
             "null": NSNull(), "list": [1, "two", false, NSNull(), [String: Any](), [Any]()] as [Any], "empty": ""],
            [:],
            ["hb.request.id": "1", "hb.request.method": "POST", "hb_x": "2", "hb-y": "3", "a1": "4", "a10": "5", "a2": "6"],
        ]
        for object in objects {
            #expect(JSONText.object(object, escapingSlashes: true) == Self.foundation(object, escapingSlashes: true))
            #expect(JSONText.object(object, escapingSlashes: false) == Self.foundation(object, escapingSlashes: false))
        }
    }

    /// What it cannot vouch for, it leaves to `JSONSerialization`.
    @Test func declinesWhatItDoesNotSortOrWriteItself() throws {
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(#"{"a": 1, "b": true, "c": 1.5}"#.utf8)) as? [String: Any])
        for object: [String: Any] in [["Upper": 1], ["é": 1], ["a 1": 1], ["a01": 1], ["a": Float(0.1)], ["a": Double.nan],
                                      ["a": parsed], ["a": Date()], ["a": ["B": 1]]] {
            #expect(JSONText.object(object, escapingSlashes: true) == nil, "\(object)")
        }
    }

    @Test func aLogLineIsTheObjectJSONSerializationWrote() {
        let object: [String: Any] = ["at": "2026-11-22T09:01:51.123Z", "level": "info", "logger": "lanyard.agent",
                                     "message": "printer connected: usb/1", "printer": "sim", "profile": "zebra-zd621d-300"]
        #expect(JSONText.object(object, escapingSlashes: false) == Self.foundation(object, escapingSlashes: false))
        #expect(JSONText.object(object, escapingSlashes: false)?.contains("usb/1") == true)
    }
}
