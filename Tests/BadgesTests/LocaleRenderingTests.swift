import Attendees
import Badges
import Foundation
import Raster
import Testing

/// The attendee's locale reaches Pango: a pan-CJK font draws a name in the attendee's regional
/// glyph forms, and the name is written in the attendee's customary order.
@Suite struct LocaleRenderingTests {
    /// One large line of text, so regional forms are many dots apart.
    func bundle(families: String) throws -> ScratchBundle {
        try ScratchBundle(
            template: templateYAML(
                elements: """
                      - type: text
                        text: "{last_name}"
                        box: [4, 4, 90, 60]
                        font: { families: \(families), size: [24, 96] }
                    """))
    }

    func render(_ bundle: ScratchBundle, name: String, locale: String?) throws -> Bitmap {
        var fields = ["attendee_id": "6f1c2a1e-3b4d-5e6f-8a9b-0c1d2e3f4a5b", "last_name": name, "access_tier": "general"]
        fields["locale"] = locale
        let badge = try BadgeRenderer(bundle: try bundle.load(), dpi: 203, logger: testLogger).render(fields: fields)
        #expect(badge.elements.allSatisfy { $0.issues.isEmpty }, "\(badge.elements.flatMap(\.issues))")
        return badge.bitmap
    }

    /// 直 and 骨 are drawn differently in Simplified Chinese and Japanese (and 骨 again in
    /// Traditional Chinese): the font named first is the Japanese face of Noto Sans CJK, and the
    /// attendee's language still decides. The same locale gives the same raster on every render.
    @Test(arguments: [
        "[Noto Sans, Noto Sans CJK JP]", "[Noto Sans, Noto Sans CJK SC]", "[Noto Sans]",
    ])
    func regionalGlyphFormsFollowTheLocale(families: String) throws {
        let scratch = try bundle(families: families)
        defer { scratch.remove() }
        for name in ["直", "骨"] {
            let chinese = try render(scratch, name: name, locale: "zh-CN")
            let japanese = try render(scratch, name: name, locale: "ja-JP")
            #expect(chinese != japanese, "\(name) in \(families): zh-CN and ja-JP must differ")
            #expect(chinese.blackDotCount > 500 && japanese.blackDotCount > 500, "the glyph is drawn")
            #expect(try render(scratch, name: name, locale: "zh-CN") == chinese, "zh-CN again, same raster")
            #expect(try render(scratch, name: name, locale: "ja_JP.UTF-8") == japanese, "a POSIX spelling of ja-JP")
        }
        // A character with one form everywhere is unchanged: the difference is the regional form.
        #expect(try render(scratch, name: "中田", locale: "zh-CN") == (try render(scratch, name: "中田", locale: "ja-JP")))
        let traditional = try render(scratch, name: "骨", locale: "zh-TW")
        #expect(traditional != (try render(scratch, name: "骨", locale: "zh-CN")))
    }

    /// Without a locale the text takes a fixed language, never the process's LANG: a name with
    /// no CJK-specific forms renders the same with or without one.
    @Test func aMissingLocaleIsFixedAndLatinIsUnaffected() throws {
        let scratch = try bundle(families: "[Noto Sans, Noto Sans CJK JP]")
        defer { scratch.remove() }
        let plain = try render(scratch, name: "Ångström", locale: nil)
        #expect(try render(scratch, name: "Ångström", locale: "sv-SE") == plain)
        #expect(try render(scratch, name: "Ångström", locale: "not a locale!") == plain)
        #expect(try render(scratch, name: "直", locale: "") == (try render(scratch, name: "直", locale: nil)))
        // Han text with no language takes the forms of the first listed font that has it.
        #expect(try render(scratch, name: "直", locale: nil) == (try render(scratch, name: "直", locale: "ja-JP")))
        let chineseFirst = try bundle(families: "[Noto Sans, Noto Sans CJK SC]")
        defer { chineseFirst.remove() }
        #expect(try render(chineseFirst, name: "直", locale: nil) == (try render(chineseFirst, name: "直", locale: "zh-CN")))
    }

    @Test(arguments: [
        ("ja-JP", "太郎", "山田", "山田太郎", NameOrder.familyFirst),
        ("zh-CN", "小明", "王", "王小明", .familyFirst),
        ("zh-Hant-TW", "信宏", "吳", "吳信宏", .familyFirst),
        ("ko_KR", "민준", "김", "김민준", .familyFirst),
        ("hu-HU", "Péter", "Nagy", "Nagy Péter", .familyFirst),
        ("vi-VN", "Thị Phương Thảo", "Nguyễn", "Nguyễn Thị Phương Thảo", .familyFirst),
        ("ja-JP", "Taro", "Yamada", "Yamada Taro", .familyFirst),
        ("en-US", "Ada", "Lovelace", "Ada Lovelace", .givenFirst),
        ("de-DE", "Zoë", "Ångström", "Zoë Ångström", .givenFirst),
        ("fr", "Jean", "Dupont", "Jean Dupont", .givenFirst),
    ])
    func fullNameFollowsTheLocalesOrder(locale: String, given: String, family: String, expected: String, order: NameOrder) {
        #expect(NameOrder(locale: locale) == order)
        let fields = BadgeFields.fields(
            synthetic: ["attendee_id": "a", "first_name": given, "last_name": family, "locale": locale],
            event: RenderingTests.event)
        #expect(fields["full_name"] == expected)
        #expect(fields["name_order"] == order.rawValue)
        #expect(fields["given_name"] == given && fields["family_name"] == family)
        #expect(fields["full_name_given_first"] == NameOrder.givenFirst.join(given: given, family: family))
        #expect(fields["full_name_family_first"] == NameOrder.familyFirst.join(given: given, family: family))
    }

    @Test func theNameFieldsOfPartialNames() {
        let event = RenderingTests.event
        let noLocale = BadgeFields.fields(synthetic: ["first_name": "Ada", "last_name": "Lovelace"], event: event)
        #expect(noLocale["full_name"] == "Ada Lovelace" && noLocale["name_order"] == "given_first")
        let preferred = BadgeFields.fields(
            synthetic: ["first_name": "경수", "preferred_name": "옥순", "last_name": "류", "locale": "ko-KR"], event: event)
        #expect(preferred["full_name"] == "류옥순", "the preferred name stands for the given name")
        let mononym = BadgeFields.fields(synthetic: ["first_name": "Teller", "locale": "hu-HU"], event: event)
        #expect(mononym["full_name"] == "Teller" && mononym["family_name"] == nil)
        let mixed = BadgeFields.fields(synthetic: ["first_name": "Sakura", "last_name": "高橋", "locale": "ja-JP"], event: event)
        #expect(mixed["full_name"] == "高橋 Sakura", "a space unless both parts are written without one")
    }

    /// A real attendee's name fields come from the same rule as the synthetic ones, and sessions
    /// become one line.
    @Test func anAttendeesDerivedFields() {
        let attendee = Attendee(
            attendeeID: "6f1c2a1e-3b4d-5e6f-8a9b-0c1d2e3f4a5b", source: "test", sourceID: "1", eventSlug: "e",
            firstName: "伟", lastName: "刘", email: "a@example.org", ticketType: "General", accessTier: .general,
            sessions: ["Opening keynote", "Swift, on the server"], locale: "zh-CN")
        let fields = BadgeFields.fields(for: attendee, event: RenderingTests.event)
        #expect(fields["full_name"] == "刘伟")
        #expect(fields["sessions_text"] == "Opening keynote · Swift, on the server")
        #expect(fields["sessions"] == "Opening keynote,Swift, on the server")
    }

    /// The standard badge chooses by `name_order`: the whole name family first on its large line
    /// for a Chinese attendee, the given name large over the family name for an English one.
    @Test func theStandardBadgeShowsTheNameInTheLocalesOrder() throws {
        let renderer = try BadgeRenderer(
            bundle: try TemplateBundle.load(directory: templatesRoot.appending(path: "standard")), dpi: 203, logger: testLogger)
        func drawn(_ locale: String) throws -> Set<String> {
            let fields = BadgeFields.fields(
                synthetic: ["attendee_id": "a", "first_name": "伟", "last_name": "刘", "access_tier": "general", "locale": locale],
                event: RenderingTests.event)
            return Set(try renderer.render(fields: fields).elements.filter(\.drawn).compactMap(\.id))
        }
        let chinese = try drawn("zh-CN")
        #expect(chinese.contains("full-name-family-first") && !chinese.contains("display-name") && !chinese.contains("family-name"))
        let english = try drawn("en-GB")
        #expect(!english.contains("full-name-family-first") && english.contains("display-name") && english.contains("family-name"))
    }
}
