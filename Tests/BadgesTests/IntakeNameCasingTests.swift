import Attendees
import Badges
import Testing

@Suite("Name casing")
struct IntakeNameCasingTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var input: String
        var position: NameCasing.Position
        var locale: String?
        var expected: String
        var testDescription: String { "\(input) -> \(expected)" }

        init(_ input: String, _ expected: String, _ position: NameCasing.Position = .leading, locale: String? = nil) {
            self.input = input
            self.position = position
            self.locale = locale
            self.expected = expected
        }
    }

    static let table: [Case] = [
        Case("JEAN-LUC PICARD", "Jean-Luc Picard"),
        Case("o'brien", "O'Brien", .following),
        Case("MCDONALD", "McDonald", .following),
        Case("ludwig van beethoven", "Ludwig van Beethoven"),
        Case("DE LA CRUZ", "de la Cruz", .following),
        Case("DE LA CRUZ", "De la Cruz", .leading),
        Case("McDonald", "McDonald", .following),
        Case("DeShawn", "DeShawn"),
        Case("van der Berg", "van der Berg", .following),
        Case("ГРЕМИСЛАВ", "ГРЕМИСЛАВ"),
        Case("павло", "павло"),
        Case("D'ANGELO", "D'Angelo", .following),
        Case("MACDONALD", "Macdonald", .following),
        Case("mack", "Mack", .following),
        Case("CSABA KOVÁCS", "Csaba Kovács"),
        Case("VICTORIA BÖRJESSON", "Victoria Börjesson"),
        Case("françois", "François"),
        Case("maria luiza rodrigues", "Maria Luiza Rodrigues"),
        Case("JOHN SMITH III", "John Smith III"),
        Case("AHMAD BIN ISMAIL", "Ahmad bin Ismail"),
        Case("ismail", "İsmail", locale: "tr-TR"),
        Case("IŞIK", "Işık", .following, locale: "tr-TR"),
        Case("ISIK", "Isik", .following),
        Case("DA", "Da", .following),
        Case("SILVA E SANTOS", "Silva e Santos", .following),
        Case("ANNE-MARIE O'NEILL", "Anne-Marie O'Neill"),
        Case("VON TRAPP", "Von Trapp", .leading),
        Case("ÉMILE ZOLA", "Émile Zola"),
        Case("AL-RASHID", "Al-Rashid", .following),
        Case("J. R. R. TOLKIEN", "J. R. R. Tolkien"),
        Case("O’CONNOR", "O’Connor", .following),
        Case("NGUYỄN VĂN AN", "Nguyễn Văn An"),
        Case("李", "李"),
        Case("ناصر", "ناصر"),
        Case("JOHN 李", "JOHN 李"),
        Case("ΟΔΥΣΣΕΑΣ", "ΟΔΥΣΣΕΑΣ"),
        Case("da Rocha", "da Rocha", .following),
        Case("Mary Evans", "Mary Evans"),
    ]

    @Test("Re-cases only all-caps or all-lower Latin names", arguments: table)
    func casing(_ entry: Case) {
        #expect(
            NameCasing.normalizeCasing(entry.input, position: entry.position, locale: entry.locale)
                == entry.expected)
    }

    @Test("Detects Latin script, ignoring marks, digits and punctuation")
    func latinScript() {
        #expect(NameCasing.isLatinScript("Łukasz Żółć-O'Neil 3rd"))
        #expect(NameCasing.isLatinScript("Nguye\u{0302}\u{0303}n"))
        #expect(!NameCasing.isLatinScript("Иван"))
        #expect(!NameCasing.isLatinScript("Ivan Иван"))
        #expect(!NameCasing.isLatinScript("123 -"))
    }

    @Test("Needs re-casing only when the case is uniform")
    func uniformCase() {
        #expect(NameCasing.needsRecasing("OLAVI"))
        #expect(NameCasing.needsRecasing("alain bouchet"))
        #expect(!NameCasing.needsRecasing("McDonald"))
        #expect(!NameCasing.needsRecasing("ГОРБАЧЕВА"))
    }

    @Test("The particle list is the documented one")
    func particles() {
        #expect(
            NameCasing.particles == [
                "van", "von", "der", "den", "de", "la", "le", "du", "da", "das", "dos", "di", "del",
                "della", "y", "e", "bin", "ibn", "al",
            ])
    }
}
