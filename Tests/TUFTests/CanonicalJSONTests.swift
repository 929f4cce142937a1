import LanyardSupport
import Testing

@testable import TUF

func canonical(_ text: String) throws -> String {
    String(decoding: try TUFJSON(parsing: Array(text.utf8)).canonicalBytes, as: UTF8.self)
}

func expectMalformed(_ text: String, _ comment: Comment, sourceLocation: SourceLocation = #_sourceLocation) {
    expectMalformed(Array(text.utf8), comment, sourceLocation: sourceLocation)
}

func expectMalformed(_ bytes: [UInt8], _ comment: Comment, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        let value = try TUFJSON(parsing: bytes)
        Issue.record("parsed \(value) from \(comment)", sourceLocation: sourceLocation)
    } catch {
        #expect(error.code == .jsonMalformed, comment, sourceLocation: sourceLocation)
        #expect(error.facts(as: ByteOffset.self) != nil, comment, sourceLocation: sourceLocation)
    }
}

@Suite struct CanonicalJSONTests {
    @Test func stringsEscapeOnlyTheQuoteAndTheBackslash() throws {
        // Escaped on input, written raw: a control character, a slash, non-ASCII, an astral scalar.
        #expect(try canonical(#"["\u0001\/\u00e9\ud83d\ude00\n\t"]"#) == "[\"\u{01}/é😀\n\t\"]")
        #expect(try canonical(#"["a\"b\\c"]"#) == #"["a\"b\\c"]"#)
        #expect(TUFJSON.string("\u{7F}\u{0}").canonicalBytes == [0x22, 0x7F, 0x00, 0x22])
    }

    @Test func keysSortByCodePointAndNormalizationsStayApart() throws {
        // U+FFFF sorts before U+1F600 by code point (UTF-16 order would swap them); "é" as one
        // scalar and as "e" + U+0301 are two keys, the decomposed one first ("e" < U+00E9).
        let text = "{\"\u{1F600}\":1,\"\u{FFFF}\":2,\"é\":3,\"e\u{301}\":4,\"Z\":5,\"a\":6,\"\":7}"
        #expect(try canonical(text) == "{\"\":7,\"Z\":5,\"a\":6,\"e\u{301}\":4,\"é\":3,\"\u{FFFF}\":2,\"\u{1F600}\":1}")
        let object = try #require(try TUFJSON(parsing: Array(text.utf8)).objectValue)
        #expect(object["é"] == .integer(3))
        #expect(object["e\u{301}"] == .integer(4))
        #expect(object.count == 7)
    }

    @Test func nestingWhitespaceAndLiterals() throws {
        let text = " {\n \"b\" : [ true , false , null , { } , [ ] , -0 , 0 , 12 ] ,\r\n \"a\" : { \"d\" : \"\" , \"c\" : [ [ 1 ] ] } } "
        #expect(try canonical(text) == #"{"a":{"c":[[1]],"d":""},"b":[true,false,null,{},[],0,0,12]}"#)
    }

    @Test func integersAreExactOver64Bits() throws {
        #expect(try canonical("[9223372036854775807,-9223372036854775808]") == "[9223372036854775807,-9223372036854775808]")
        expectMalformed("9223372036854775808", "above Int64")
        expectMalformed("-9223372036854775809", "below Int64")
    }

    @Test func floatsDuplicatesAndBadSyntaxAreRefused() {
        for text in ["1.0", "1e3", "1E-2", "-0.5", "[0.1]", "{\"a\":2.5}", "NaN", "Infinity", "-", "01", "-01", "+1"] {
            expectMalformed(text, "number \(text)")
        }
        expectMalformed("{\"a\":1,\"a\":1}", "a duplicate key")
        expectMalformed("{\"a\":{\"k\":1,\"k\":2}}", "a nested duplicate key")
        expectMalformed("{\"\\u0061\":1,\"a\":2}", "a duplicate key spelled with an escape")
        for text in [
            "", " ", "{", "[1,]", "{\"a\":1,}", "{a:1}", "'a'", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"",
            "\"\\ud800\\u0041\"", "tru", "nul", "[1] [2]", "{\"a\" 1}", "\"a\u{01}b\"", "\u{FEFF}{}",
        ] {
            expectMalformed(text, "text \(text.debugDescription)")
        }
        expectMalformed([0x22, 0xC3, 0x28, 0x22], "invalid UTF-8")
        expectMalformed([0x22, 0xED, 0xA0, 0x80, 0x22], "a UTF-8 encoded surrogate")
        expectMalformed([0x22, 0xC0, 0xAF, 0x22], "an overlong slash")
    }

    @Test func deepNestingIsRefusedNotACrash() {
        let depth = 100_000
        expectMalformed(String(repeating: "[", count: depth) + String(repeating: "]", count: depth), "deep arrays")
        expectMalformed(String(repeating: "{\"a\":", count: depth) + "1" + String(repeating: "}", count: depth), "deep objects")
        let allowed = TUFJSON.maximumDepth
        #expect(
            (try? TUFJSON(parsing: Array((String(repeating: "[", count: allowed) + String(repeating: "]", count: allowed)).utf8))) != nil)
    }

    /// Random and mutated bytes: the parser either refuses with `tuf.json_malformed` or returns a
    /// value whose canonical form parses back to itself; it never traps.
    @Test func fuzzedInputIsRefusedOrRoundTrips() throws {
        var random = SplitMix64(seed: 0x7475_665F_6A73_6F6E)
        let seeds = [
            #"{"signed":{"_type":"root","version":1,"keys":{"ab":{"keytype":"ed25519","keyval":{"public":"00"}}}},"signatures":[]}"#,
            #"[1,-2,"\u00e9\ud83d\ude00",true,false,null,{"a":[{}]}]"#,
            "{\"é\":\"\\\"\\\\/\",\"e\u{301}\":[]}",
        ].map { Array($0.utf8) }
        let alphabet = Array(#"{}[]",:\-0123456789.eEtrufalsn u"#.utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xA9, 0xED, 0xF0, 0xFF]
        var parsed = 0
        for round in 0..<20_000 {
            var bytes: [UInt8]
            if round % 4 == 0 {
                bytes = (0..<Int(random.next() % 40)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
            } else {
                bytes = seeds[round % seeds.count]
                for _ in 0..<(1 + Int(random.next() % 4)) {
                    let position = Int(random.next() % UInt64(bytes.count + 1))
                    switch random.next() % 3 {
                    case 0 where position < bytes.count: bytes[position] = alphabet[Int(random.next() % UInt64(alphabet.count))]
                    case 1 where position < bytes.count: bytes.remove(at: position)
                    default: bytes.insert(alphabet[Int(random.next() % UInt64(alphabet.count))], at: position)
                    }
                }
            }
            do {
                let value = try TUFJSON(parsing: bytes)
                parsed += 1
                let again = try TUFJSON(parsing: value.canonicalBytes)
                #expect(again == value, "round trip of \(bytes)")
                #expect(again.canonicalBytes == value.canonicalBytes)
            } catch {
                #expect(error.code == .jsonMalformed)
            }
        }
        // Mutations leave some documents valid: the round trip was exercised, not only refusals.
        #expect(parsed > 100, "\(parsed) parsed")
    }

    @Test func objectsRefuseDuplicatesWhenBuilt() {
        #expect(throws: TUFError.self) { try JSONObject([("a", .null), ("a", .integer(1))]) }
        #expect((try? JSONObject([("é", .null), ("e\u{301}", .null)]))?.count == 2)
    }
}
