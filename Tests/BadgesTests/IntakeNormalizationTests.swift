import Attendees
import Testing

@Suite("Text normalisation")
struct IntakeNormalizationTests {
    @Test("Trims and collapses every kind of whitespace to single spaces")
    func collapsesWhitespace() {
        #expect(TextNormalization.collapsingWhitespace("  Mary \t") == "Mary")
        #expect(TextNormalization.collapsingWhitespace("Anne\u{00A0}\u{00A0}Marie") == "Anne Marie")
        #expect(TextNormalization.collapsingWhitespace("\u{3000}山田\u{2003}太郎\n") == "山田 太郎")
        #expect(TextNormalization.collapsingWhitespace("a\u{202F}b\u{2028}c") == "a b c")
        #expect(TextNormalization.collapsingWhitespace(" \t ") == "")
        #expect(TextNormalization.collapsingWhitespace("Already clean") == "Already clean")
    }

    @Test("Composes to NFC")
    func composesNFC() {
        let decomposed = "Ame\u{0301}lie"
        let composed = TextNormalization.canonicalComposition(decomposed)
        #expect(composed.unicodeScalars.map(\.value) == "Amélie".unicodeScalars.map(\.value))
        #expect(composed.unicodeScalars.count == 6)
        // Hangul jamo compose to syllables.
        #expect(TextNormalization.canonicalComposition("\u{1100}\u{1161}") == "\u{AC00}")
    }

    @Test("Removes C0 and C1 controls; whitespace controls become spaces")
    func stripsControls() {
        let result = TextNormalization.normalize("Zs\u{0000}olt\u{0007}\u{0085}Papp\u{009B}\u{007F}")
        #expect(result.value == "Zsolt Papp")
        #expect(result.removedCharacterCount == 4)
        #expect(result.whitespaceAdjusted)
        #expect(TextNormalization.isControl("\u{1B}"))
        #expect(TextNormalization.isControl("\u{9F}"))
        #expect(!TextNormalization.isControl("\u{A0}"))
    }

    @Test("Removes zero-width characters", arguments: ["\u{200B}", "\u{2060}", "\u{FEFF}"])
    func stripsZeroWidth(_ invisible: String) {
        let result = TextNormalization.normalize("\(invisible)Wencke\(invisible)")
        #expect(result.value == "Wencke")
        #expect(result.removedCharacterCount == 2)
        #expect(!result.whitespaceAdjusted)
    }

    @Test(
        "Removes bidi embeddings, overrides, isolates and marks",
        arguments: [
            "\u{202A}", "\u{202B}", "\u{202C}", "\u{202D}", "\u{202E}",
            "\u{2066}", "\u{2067}", "\u{2068}", "\u{2069}", "\u{200E}", "\u{200F}",
        ])
    func stripsBidi(_ control: String) {
        let result = TextNormalization.normalize("\(control)Tóth és Novák Nyrt.")
        #expect(result.value == "Tóth és Novák Nyrt.")
        #expect(result.removedCharacterCount == 1)
    }

    @Test("Keeps ZWNJ and ZWJ only where they join letters, marks or emoji")
    func joinersInContext() {
        let persian = "ماهی\u{200C}گیر"
        #expect(TextNormalization.normalize(persian).value == persian)
        #expect(!TextNormalization.normalize(persian).changed)
        let technologist = "👩\u{200D}💻"
        #expect(TextNormalization.normalize(technologist).value == technologist)
        let devanagari = "क्\u{200D}ष"
        #expect(TextNormalization.normalize(devanagari).value == devanagari)
        #expect(TextNormalization.normalize("\u{200D}Ada\u{200C}").value == "Ada")
        #expect(TextNormalization.normalize("Ada \u{200C} Byron").value == "Ada Byron")
        #expect(TextNormalization.normalize("1\u{200D}2").value == "12")
    }

    @Test("Reports no change for clean text")
    func cleanTextUnchanged() {
        let result = TextNormalization.normalize("Ji-woo Park")
        #expect(result == NormalizedText(value: "Ji-woo Park", removedCharacterCount: 0, whitespaceAdjusted: false))
    }
}

@Suite("Email addresses")
struct IntakeEmailTests {
    @Test("Lower-cases the domain only")
    func lowersDomain() throws {
        let email = try EmailAddress.normalize("275E1A3869@GMAIL.COM").get()
        #expect(email.value == "275E1A3869@gmail.com")
        #expect(email.domainRecased)
        let unchanged = try EmailAddress.normalize("Ada.Lovelace@example.org").get()
        #expect(unchanged.value == "Ada.Lovelace@example.org")
        #expect(!unchanged.domainRecased)
        #expect(try EmailAddress.normalize("ivan@ПРИМЕР.РФ").get().value == "ivan@пример.рф")
    }

    @Test(
        "Rejects malformed shapes with the specific problem",
        arguments: [
            ("", EmailProblem.empty),
            ("851f34bbde at luukku.com", .missingAt),
            ("a@b@example.com", .multipleAt),
            ("ada lovelace@example.org", .containsWhitespace),
            ("@example.org", .emptyLocalPart),
            ("ada@localhost", .domainWithoutDot),
            ("ada@example..org", .emptyDomainLabel),
            ("ada@.example.org", .emptyDomainLabel),
            ("ada@example.org.", .emptyDomainLabel),
        ])
    func rejectsMalformed(_ input: String, _ problem: EmailProblem) {
        #expect(EmailAddress.normalize(input) == .failure(problem))
    }

    @Test("Accepts plus addressing, subdomains and non-ASCII local parts")
    func acceptsRealisticAddresses() {
        #expect(
            (try? EmailAddress.normalize("ada+badges@mail.example.co.uk").get().value)
                == "ada+badges@mail.example.co.uk")
        #expect((try? EmailAddress.normalize("josé@example.es").get().value) == "josé@example.es")
    }
}
