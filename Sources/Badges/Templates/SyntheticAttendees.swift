import Foundation

/// The people `templates check` renders a template for before it goes to a kiosk: long and short
/// names, mononyms, names in the scripts a venue door actually sees, every access tier, and empty
/// optional fields. Each is a set of raw attendee fields; the event fields are added by the caller.
public enum SyntheticAttendees {
    public struct Case: Sendable {
        public var label: String
        public var fields: [String: String]
    }

    private static let tiers = ["general", "vip", "speaker", "staff", "sponsor", "press", "student"]

    /// (dietary, accessibility, sessions), comma-joined as attendees' lists reach templates: none,
    /// one, and four needs (registrations have at most three), so icons and session lines are
    /// drawn, and must fit, on the check's badges.
    private static let needs: [(String, String, String)] = [
        ("", "", ""),
        ("vegan", "wheelchair", "KEY-01"),
        ("gluten-free,nut-allergy", "hearing-loop,large-print", "KEY-01,WS-02,WS-03,LAB-11,PAN-07,WS-04"),
        ("halal", "", "WS-01,WS-04"),
        ("kosher,lactose-free", "sign-language", "PAN-07"),
        ("vegetarian", "quiet-room", ""),
    ]

    /// (label, first, last, company, job title, locale)
    private static let people: [(String, String, String, String, String, String)] = [
        ("short Latin", "Al", "Li", "IBM", "CTO", "en-US"),
        (
            "long Latin", "Maximiliane-Alexandrina", "von Hohenzollern-Sigmaringen",
            "Internationale Gesellschaft für Zusammenarbeit und Entwicklung mbH",
            "Senior Principal Distinguished Engineer, Platform Infrastructure", "de-DE"
        ),
        ("mononym", "Teller", "", "", "", ""),
        ("last name only", "", "Sukarno", "Perusahaan Listrik Negara", "", "id-ID"),
        ("particles", "Ludwig", "van der Berg-de la Cruz", "Koninklijke Nederlandse Akademie", "Onderzoeker", "nl-NL"),
        ("Arabic", "محمد عبد الرحمن", "الفلاحي", "شركة الاتصالات المتحدة", "مهندس برمجيات", "ar-EG"),
        ("Hebrew", "אביגיל", "בן־דוד", "מכון ויצמן למדע", "חוקרת", "he-IL"),
        ("Devanagari", "अनुष्का", "श्रीवास्तव", "भारतीय प्रौद्योगिकी संस्थान", "प्राध्यापक", "hi-IN"),
        ("Thai", "ประเสริฐศักดิ์", "ศรีสวัสดิ์วงศ์", "บริษัท ปูนซิเมนต์ไทย จำกัด", "วิศวกร", "th-TH"),
        ("Chinese", "娜娜", "欧阳", "中国科学院计算技术研究所", "研究员", "zh-CN"),
        ("Japanese", "さくら", "高橋", "株式会社日立製作所", "主任研究員", "ja-JP"),
        ("Korean", "서연", "김", "삼성전자 주식회사", "수석 연구원", "ko-KR"),
        ("Greek", "Παναγιώτης", "Παπαδόπουλος", "Εθνικό Μετσόβιο Πολυτεχνείο", "Καθηγητής", "el-GR"),
        ("Cyrillic", "Александра", "Константинопольская", "Российская академия наук", "Научный сотрудник", "ru-RU"),
        ("Vietnamese", "Thị Phương Thảo", "Nguyễn", "Tập đoàn Viễn thông Quân đội", "Kỹ sư", "vi-VN"),
        ("combining marks", "Zoë", "Ångström-Müller", "Łódź Spółka z o.o.", "Inżynier", "pl-PL"),
    ]

    public static var cases: [Case] {
        var result: [Case] = []
        for (index, person) in people.enumerated() {
            // Every tier appears, on different people, so each conditional element is exercised.
            let tier = tiers[index % tiers.count]
            result.append(
                Case(
                    label: "\(person.0), \(tier)",
                    fields: [
                        "attendee_id": "00000000-0000-5000-8000-\(String(format: "%012d", index))",
                        "source": "synthetic",
                        "source_id": "SYN-\(String(format: "%06d", index))",
                        "first_name": person.1,
                        "last_name": person.2,
                        "preferred_name": "",
                        "company": person.3,
                        "job_title": person.4,
                        "email": "synthetic\(index)@example.org",
                        "ticket_type": tier.capitalized,
                        "access_tier": tier,
                        "track": index % 2 == 0 ? "engineering" : "",
                        "pronouns": index % 3 == 0 ? "they/them" : "",
                        "locale": person.5,
                        "dietary": needs[index % needs.count].0,
                        "accessibility": needs[index % needs.count].1,
                        "sessions": needs[index % needs.count].2,
                    ]))
        }
        return result
    }
}
