public import Attendees
import Foundation
public import LanyardSupport

/// A large, reproducible attendee list for sizing and benchmarking the attendee cache: names in
/// Latin (with diacritics), Greek, Cyrillic, Arabic, Hebrew, Devanagari, Thai, Chinese, Japanese
/// and Korean, companies and emails, drawn from a seeded generator so every run (and every
/// machine) gets the same list for the same seed.
public enum SyntheticRoster {
    /// `count` attendees, numbered from `offset`; the same seed always gives the same attendees.
    public static func attendees(count: Int, offset: Int = 0, seed: UInt64, eventSlug: String = "synthetic-event") -> [Attendee] {
        var generator = SplitMix64(seed: seed &+ UInt64(truncatingIfNeeded: offset) &* 0x9E37_79B9)
        return (0..<max(0, count)).map { position in
            attendee(number: offset + position, eventSlug: eventSlug, using: &generator)
        }
    }

    private static func attendee(number: Int, eventSlug: String, using generator: inout SplitMix64) -> Attendee {
        let script = scripts[Int(generator.next() % UInt64(scripts.count))]
        let first = script.first[Int(generator.next() % UInt64(script.first.count))]
        let last = script.last[Int(generator.next() % UInt64(script.last.count))]
        let company = script.companies[Int(generator.next() % UInt64(script.companies.count))]
        let domain = domains[Int(generator.next() % UInt64(domains.count))]
        let local =
            script.latin
            ? "\(SearchFolding.fold(first)).\(SearchFolding.fold(last))".replacingOccurrences(of: " ", with: "")
            : "guest"
        let tier = AccessTier.allCases[Int(generator.next() % UInt64(AccessTier.allCases.count))]
        return Attendee(
            attendeeID: String(format: "00000000-0000-4000-8000-%012lx", number),
            source: "synthetic", sourceID: "SYN-\(number)", eventSlug: eventSlug,
            firstName: first, lastName: last,
            preferredName: generator.next() % 10 == 0 ? String(first.prefix(3)) : nil,
            email: "\(local)\(number)@\(domain)", company: company,
            ticketType: tier.rawValue.capitalized, accessTier: tier)
    }

    private struct Script {
        var latin: Bool
        var first: [String]
        var last: [String]
        var companies: [String]
    }

    private static let domains = ["example.org", "example.com", "example.net", "kiosk.test", "registrar.example"]

    private static let scripts: [Script] = [
        Script(
            latin: true,
            first: [
                "Anna", "Zoë", "José", "François", "Søren", "Łukasz", "Ümit", "Chloé", "Mateo", "Ingrid", "Noah",
                "Amélie", "Björn", "Ana", "Hannah", "Lucía", "Oğuz", "Dvořák", "Jürgen", "Siobhán",
            ],
            last: [
                "Müller", "Ångström", "García", "Nguyễn", "Kowalski", "O’Brien", "Dubois", "Jørgensen", "Smith",
                "Rossi", "Yılmaz", "Novák", "Schmidt", "Fernández", "Lefèvre", "van der Berg", "Öztürk", "Brown",
            ],
            companies: [
                "Acme GmbH", "Société Générale", "Nordisk Energi A/S", "Łódź Software", "Initech",
                "Globex Corporation", "Café Olé S.L.", "Müller & Söhne",
            ]),
        Script(
            latin: false,
            first: ["Γιώργος", "Ελένη", "Νίκος", "Μαρία", "Δημήτρης"],
            last: ["Παπαδόπουλος", "Οικονόμου", "Γεωργίου", "Νικολάου"],
            companies: ["Εθνικό Μετσόβιο Πολυτεχνείο", "Ελληνικά Πετρέλαια"]),
        Script(
            latin: false,
            first: ["Александра", "Дмитрий", "Ольга", "Иван", "Наталья"],
            last: ["Иванова", "Смирнов", "Кузнецова", "Попов", "Соколова"],
            companies: ["Российская академия наук", "Яндекс"]),
        Script(
            latin: false,
            first: ["محمد", "فاطمة", "عبد الرحمن", "ليلى", "يوسف"],
            last: ["الفلاحي", "الحسيني", "منصور", "العتيبي"],
            companies: ["شركة الاتصالات المتحدة", "مجموعة الخليج"]),
        Script(
            latin: false,
            first: ["אביגיל", "יונתן", "נועה", "דוד", "מיכל"],
            last: ["כהן", "לוי", "בן־דוד", "מזרחי"],
            companies: ["מכון ויצמן למדע", "טבע תעשיות"]),
        Script(
            latin: false,
            first: ["अनुष्का", "राहुल", "प्रिया", "अर्जुन"],
            last: ["श्रीवास्तव", "शर्मा", "पटेल", "गुप्ता"],
            companies: ["भारतीय प्रौद्योगिकी संस्थान", "टाटा समूह"]),
        Script(
            latin: false,
            first: ["สมชาย", "สุดา", "ประเสริฐ", "มาลี"],
            last: ["ศรีสวัสดิ์", "วงศ์ใหญ่", "แสงทอง"],
            companies: ["บริษัท ปูนซิเมนต์ไทย จำกัด"]),
        Script(
            latin: false,
            first: ["娜娜", "伟", "静", "磊", "秀英", "晓明"],
            last: ["欧阳", "王", "李", "张", "刘", "陈"],
            companies: ["中国科学院计算技术研究所", "华为技术有限公司"]),
        Script(
            latin: false,
            first: ["さくら", "翔太", "ゆい", "健", "美咲"],
            last: ["高橋", "佐藤", "鈴木", "田中"],
            companies: ["株式会社日立製作所", "ソニーグループ株式会社"]),
        Script(
            latin: false,
            first: ["서연", "민준", "지우", "하은"],
            last: ["김", "이", "박", "최"],
            companies: ["삼성전자 주식회사", "현대자동차"]),
    ]
}

extension LanyardStore {
    /// Fills the attendee cache with `count` synthetic attendees (see `SyntheticRoster`), in
    /// transactions of `batchSize`. Returns how many rows were written.
    @discardableResult
    public func fillWithSyntheticAttendees(count: Int, seed: UInt64, batchSize: Int = 10_000) throws(StoreError) -> Int {
        let step = max(1, batchSize)
        var written = 0
        for start in stride(from: 0, to: max(0, count), by: step) {
            let batch = SyntheticRoster.attendees(count: min(step, count - start), offset: start, seed: seed)
            written += try upsertAttendees(batch)
        }
        return written
    }
}
