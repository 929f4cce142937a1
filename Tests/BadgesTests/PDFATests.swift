import Foundation
import LanyardSupport
import TestSupport
import Testing

@testable import Badges

/// A classic PDF 1.4 built by hand: object N is `bodies[N - 1]`, with a correct table.
func classicPDF(_ bodies: [String], trailer extra: String = "") -> [UInt8] {
    var bytes = Array("%PDF-1.4\n%\u{E2}\u{E3}\u{CF}\u{D3}\n".utf8)
    var table = "xref\n0 \(bodies.count + 1)\n0000000000 65535 f \n"
    for (index, body) in bodies.enumerated() {
        let offset = String(bytes.count)
        table += String(repeating: "0", count: 10 - offset.count) + offset + " 00000 n \n"
        bytes += Array("\(index + 1) 0 obj\n\(body)\nendobj\n".utf8)
    }
    let tableOffset = bytes.count
    return bytes + Array((table + "trailer\n<< /Size \(bodies.count + 1) /Root 1 0 R\(extra) >>\nstartxref\n\(tableOffset)\n%%EOF\n").utf8)
}

/// A one-page file as cairo shapes it: a page transparency group, an image with Interpolate, a
/// content stream whose length is an object of its own, and cairo's information dictionary.
func cairoLikePDF(resources: String = "<< /ExtGState << /a0 << /CA 1 /ca 1 >> >> >>", extraObjects: [String] = []) -> [UInt8] {
    classicPDF(
        [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            """
            << /Type /Page /Parent 2 0 R /MediaBox [0 0 288 216] /Contents 4 0 R /Resources \(resources)
               /Group << /Type /Group /S /Transparency /I true /CS /DeviceRGB >> >>
            """,
            "<< /Length 5 0 R >>\nstream\n0 g 0 0 10 10 re f\nendstream",
            "   19",
            "<< /Producer (cairo) /CreationDate (D:20200101000000Z) >>",
            "<< /Type /XObject /Subtype /Image /ImageMask true /Width 1 /Height 1 /Interpolate true /Length 1 >>\nstream\n\u{0}\nendstream",
        ] + extraObjects, trailer: " /Info 6 0 R")
}

let fixedDate = Date(timeIntervalSince1970: 1_795_000_000)
let sampleInfo = PDFA.DocumentInfo(title: "standard badge", creatorTool: "Lanyard", producer: "Lanyard tests", date: fixedDate)

func expectPDFAFailure(_ bytes: [UInt8], _ comment: Comment, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        _ = try PDFA.conform(bytes, info: sampleInfo)
        Issue.record("no error for \(comment)", sourceLocation: sourceLocation)
    } catch {
        #expect(error.code == .pdfaFailed, comment, sourceLocation: sourceLocation)
    }
}

@Suite struct PDFATests {
    @Test func theScannerReadsAndWritesBackPDFObjects() throws {
        var scanner = PDFScanner(Array("<</A [1 2 0 R (a\\)(b)) <FEFF> /N -.5 true null 7] /B<</C 3>>>> rest".utf8))
        let value = try scanner.value()
        let dictionary = try #require(value.dictionary)
        #expect(
            dictionary["A"]
                == .array([
                    .number("1"), .reference(PDFReference(number: 2, generation: 0)), .string(Array("(a\\)(b))".utf8)),
                    .string(Array("<FEFF>".utf8)),
                    .name("N"), .number("-.5"), .boolean(true), .null, .number("7"),
                ]))
        #expect(dictionary["B"]?.dictionary?["C"] == .number("3"))
        #expect(String(decoding: value.serialized, as: UTF8.self) == "<< /A [1 2 0 R (a\\)(b)) <FEFF> /N -.5 true null 7] /B << /C 3 >> >>")
        #expect(scanner.token() == "rest")
        #expect(PDFValue.text("a (b) \\") == .string(Array("(a \\(b\\) \\\\)".utf8)))
        #expect(PDFValue.text("Zoë") == .string(Array("<FEFF005A006F00EB>".utf8)))
    }

    @Test func aCairoShapedFileBecomesPDFA() throws {
        let output = try PDFA.conform(cairoLikePDF(), info: sampleInfo)
        let file = try ClassicPDF(output)
        let text = String(decoding: output, as: UTF8.self)
        #expect(file.minorVersion == 4)
        #expect(file.size == 10)
        func object(_ number: Int) throws -> PDFDictionary {
            let entry = try #require(file.objects.first { $0.reference.number == number })
            var scanner = PDFScanner(output, at: entry.range.lowerBound)
            try scanner.objectHeader(entry.reference)
            return try #require(try scanner.value().dictionary)
        }
        let catalog = try object(1)
        #expect(catalog.reference("Metadata") == PDFReference(number: 8, generation: 0))
        guard case .array(let intents) = catalog["OutputIntents"], let intent = intents.first?.dictionary else {
            Issue.record("no output intent: \(catalog)")
            return
        }
        #expect(intent.name("S") == "GTS_PDFA1")
        #expect(intent.reference("DestOutputProfile") == PDFReference(number: 9, generation: 0))
        #expect(try object(3)["Group"] == nil)
        #expect(try object(7)["Interpolate"] == .boolean(false))
        let info = try object(6)
        #expect(info["Title"] == .text("standard badge"))
        #expect(info["Producer"] == .text("Lanyard tests"))
        #expect(info["CreationDate"] == .text("D:20261118110640+00'00'"))
        #expect(!text.contains("cairo"), "cairo's information dictionary is gone")
        #expect(text.contains("<xmp:CreateDate>2026-11-18T11:06:40+00:00</xmp:CreateDate>"))
        #expect(text.contains("<pdfaid:part>2</pdfaid:part>") && text.contains("<pdfaid:conformance>B</pdfaid:conformance>"))
        #expect(file.trailer["ID"] != nil && file.trailer.reference("Info") == PDFReference(number: 6, generation: 0))
        // The content stream, its length object and the stream of the image are copied as they were.
        #expect(text.contains("4 0 obj\n<< /Length 5 0 R >>\nstream\n0 g 0 0 10 10 re f\nendstream\nendobj\n5 0 obj\n   19\nendobj\n"))
    }

    @Test func transparencyAndFontsWithoutProgramsAreRefused() throws {
        expectPDFAFailure(cairoLikePDF(resources: "<< /ExtGState << /a0 << /CA 1 /ca 0.5 >> >> >>"), "constant alpha")
        expectPDFAFailure(cairoLikePDF(resources: "<< /ExtGState << /s0 << /SMask 8 0 R >> >> >>"), "a soft mask")
        expectPDFAFailure(cairoLikePDF(resources: "<< /ExtGState << /b0 << /BM /Multiply >> >> >>"), "a blend mode")
        expectPDFAFailure(
            cairoLikePDF(extraObjects: ["<< /Type /FontDescriptor /FontName /Noto /Flags 32 >>"]), "a font that is not embedded")
        expectPDFAFailure(
            cairoLikePDF(extraObjects: [
                "<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /SMask 7 0 R /Length 0 >>\nstream\n\nendstream"
            ]),
            "an image with a soft mask")
        _ = try PDFA.conform(cairoLikePDF(resources: "<< /ExtGState << /s0 << /SMask /None /BM /Normal >> >> >>"), info: sampleInfo)
        _ = try PDFA.conform(
            cairoLikePDF(extraObjects: ["<< /Type /FontDescriptor /FontName /Noto /FontFile2 9 0 R >>"]), info: sampleInfo)
    }

    @Test func whatThePostProcessorCannotReadIsAStructuredError() throws {
        let valid = cairoLikePDF()
        let text = String(decoding: valid, as: UTF8.self)
        func edited(_ from: String, _ to: String) -> [UInt8] { Array(text.replacingOccurrences(of: from, with: to).utf8) }
        expectPDFAFailure([], "an empty file")
        expectPDFAFailure(Array("%PDF-1.4\n".utf8), "a header alone")
        expectPDFAFailure(Array("%PDF-2.0\n".utf8) + valid.dropFirst(9), "PDF 2.0")
        expectPDFAFailure(edited("xref\n", "xrex\n"), "no cross-reference table")
        expectPDFAFailure(edited("%%EOF", ""), "no %%EOF")
        expectPDFAFailure(edited("/Root 1 0 R", "/Root 1 0 R /Prev 9"), "an incremental update")
        expectPDFAFailure(edited("/Root 1 0 R", "/Root 1 0 R /Encrypt 6 0 R"), "encryption")
        expectPDFAFailure(edited("/Root 1 0 R", "/Root 2 0 R"), "a root that is not a catalog")
        expectPDFAFailure(edited("/Root 1 0 R", "/Info 6 0 R"), "no root")
        expectPDFAFailure(edited("1 0 obj\n", "9 0 obj\n"), "an offset that points at another object")
        expectPDFAFailure(edited("/Count 1 >>", "/Count (1>>"), "an unclosed string")
        var deep = PDFScanner(Array((String(repeating: "[", count: 40) + String(repeating: "]", count: 40)).utf8))
        #expect(throws: BadgeError.self, "nesting past the limit") { try deep.value() }
        expectPDFAFailure(edited("0 8\n", "9223372036854775807 8\n"), "a table section at the largest number")
        // startxref pointing at an object, as it would at a cross-reference stream.
        let keyword = try #require(valid.firstRange(of: Array("startxref\n".utf8))).upperBound
        let object = try #require(valid.firstRange(of: Array("3 0 obj".utf8))).lowerBound
        expectPDFAFailure(valid[..<keyword] + Array("\(object)\n%%EOF\n".utf8), "a cross-reference stream")
        // Truncations of the file (all but its last end of line, without which it is whole).
        for length in stride(from: 0, to: valid.count - 1, by: 7) {
            expectPDFAFailure(Array(valid.prefix(length)), "truncated at \(length)")
        }
    }

    /// Damaged bytes anywhere give an error or a document, never a crash.
    @Test func randomDamageNeverCrashes() throws {
        var random = SplitMix64(seed: 16)
        let valid = cairoLikePDF()
        var failures = 0
        for _ in 0..<400 {
            var bytes = valid
            for _ in 0..<(1 + Int(random.next() % 4)) {
                bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
            }
            do { _ = try PDFA.conform(bytes, info: sampleInfo) } catch {
                #expect(error.code == .pdfaFailed)
                failures += 1
            }
        }
        #expect(failures > 0)
    }

    @Test func theSameBadgeAndDateGiveTheSameBytes() throws {
        let renderer = try BadgeRenderer(
            bundle: try TemplateBundle.load(directory: templatesRoot.appending(path: "vip")), dpi: 300, logger: testLogger)
        let fields = BadgeFields.fields(
            synthetic: try #require(SyntheticAttendees.cases.first { $0.label.hasPrefix("Chinese") }).fields, event: RenderingTests.event)
        let first = try renderer.renderPDFDocument(fields: fields, date: fixedDate).bytes
        let second = try renderer.renderPDFDocument(fields: fields, date: fixedDate).bytes
        #expect(first == second)
        // Another date changes the dates and the /ID, and nothing else.
        let later = fixedDate.addingTimeInterval(86_400 * 40 + 1)
        let third = try renderer.renderPDFDocument(fields: fields, date: later).bytes
        #expect(third != first)
        func normalised(_ bytes: [UInt8], date: Date) throws -> String {
            let dates = PDFA.dateStrings(date)
            let id = try #require(try ClassicPDF(bytes).trailer["ID"]).serialized
            return String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: dates.info, with: "DATE")
                .replacingOccurrences(of: dates.xmp, with: "DATE").replacingOccurrences(of: String(decoding: id, as: UTF8.self), with: "ID")
        }
        #expect(try normalised(third, date: later) == normalised(first, date: fixedDate))
    }

    @Test func theProfileFollowsTheICCLayout() throws {
        let profile = SRGBProfile.bytes
        func uint32(_ offset: Int) -> Int { profile[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) } }
        func signature(_ offset: Int) -> String { String(decoding: profile[offset..<offset + 4], as: UTF8.self) }
        func s15Fixed16(_ offset: Int) -> Double { Double(Int32(bitPattern: UInt32(uint32(offset)))) / 65536 }
        #expect(uint32(0) == profile.count)
        #expect(profile[8] == 2 && signature(36) == "acsp")
        #expect([signature(12), signature(16), signature(20)] == ["mntr", "RGB ", "XYZ "])
        let count = uint32(128)
        var tags: [String: (offset: Int, size: Int)] = [:]
        for index in 0..<count {
            let entry = 132 + 12 * index
            tags[signature(entry)] = (uint32(entry + 4), uint32(entry + 8))
        }
        #expect(Set(tags.keys) == ["desc", "cprt", "wtpt", "rXYZ", "gXYZ", "bXYZ", "rTRC", "gTRC", "bTRC"])
        for (name, tag) in tags {
            #expect(tag.offset % 4 == 0 && tag.offset >= 132 + 12 * count && tag.offset + tag.size <= profile.count, "\(name)")
        }
        // The colorants add up to the D50 white of the connection space.
        for (component, white) in [0.9642, 1.0, 0.8249].enumerated() {
            let sum = ["rXYZ", "gXYZ", "bXYZ"].map { s15Fixed16(tags[$0]!.offset + 8 + 4 * component) }.reduce(0, +)
            #expect(abs(sum - white) < 0.001, "component \(component): \(sum)")
        }
        // The curves share one element: 1024 samples from 0 to 65535.
        let curve = try #require(tags["rTRC"])
        #expect(tags["gTRC"]!.offset == curve.offset && uint32(curve.offset + 8) == 1024)
        #expect(
            profile[(curve.offset + 12)..<(curve.offset + 14)] == [0, 0] && profile[(curve.offset + curve.size - 2)...] == [0xFF, 0xFF])
    }
}

/// The badges checked by tools Lanyard did not write: qpdf for the file's structure, pikepdf for
/// the PDF/A-2b rules the post-processor must meet, littlecms (Pillow's ImageCms) for the profile.
@Suite(.enabled(if: PDFAChecks.enabled, "needs qpdf and Python with pikepdf and Pillow (run 'make tools')"))
struct PDFACrossCheckTests {
    @Test func badgesPassTheIndependentChecks() throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "lanyard-pdfa-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let scripts = ["combining marks", "Chinese", "Japanese", "Korean", "Arabic", "Hebrew"]
        let cases = SyntheticAttendees.cases
        var jobs: [[String: any Sendable]] = []
        var expectsCJK: Set<String> = []
        for template in ["standard", "vip", "speaker", "staff"] {
            let renderer = try BadgeRenderer(
                bundle: try TemplateBundle.load(directory: templatesRoot.appending(path: template)), dpi: 300, logger: testLogger)
            // Every script on the standard badge, the CJK and right-to-left ones on the others.
            let people = template == "standard" ? cases : cases.filter { person in scripts.contains { person.label.hasPrefix($0) } }
            for person in people {
                let id = "\(template) \(person.label)"
                let url = directory.appending(path: "\(jobs.count).pdf")
                try renderer.renderPDF(fields: BadgeFields.fields(synthetic: person.fields, event: RenderingTests.event), to: url)
                jobs.append(["id": id, "kind": "pdf", "pdf": url.path])
                if ["Chinese", "Japanese", "Korean"].contains(where: { person.label.hasPrefix($0) }) { expectsCJK.insert(id) }
            }
        }
        // A title that needs UTF-16 in the information dictionary and escaping in the XMP.
        let titled = directory.appending(path: "titled.pdf")
        let title = PDFA.DocumentInfo(title: "名札 & <Zoë> (1)", creatorTool: "Lanyard", producer: "Lanyard tests", date: fixedDate)
        try Data(try PDFA.conform(cairoLikePDF(), info: title)).write(to: titled)
        jobs.append(["id": "titled", "kind": "pdf", "pdf": titled.path])

        let results = try PythonTools.runJobs(script: "Tests/Tools/pdfa_check.py", jobs)
        #expect(results.count == jobs.count)
        for job in jobs {
            let id = try #require(job["id"] as? String)
            let result = try #require(results[id], "\(id)")
            #expect(result["error"] == nil, "\(id): \(result["error"] ?? "")")
            #expect((result["errors"] as? [String])?.isEmpty == true, "\(id): \(result["errors"] ?? "")")
            let fonts = result["fonts"] as? [String] ?? []
            if id != "titled" { #expect(!fonts.isEmpty, "\(id): no fonts") }
            if expectsCJK.contains(id) { #expect(fonts.contains { $0.contains("CJK") }, "\(id): \(fonts)") }
        }
    }

    /// The checker is no rubber stamp: cairo's kind of file, not made PDF/A, fails it rule by rule.
    @Test func theCheckerRefusesAPlainPDF() throws {
        let url = FileManager.default.temporaryDirectory.appending(path: "lanyard-\(UUID().uuidString).pdf")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(cairoLikePDF(resources: "<< /ExtGState << /a0 << /CA 1 /ca 0.5 >> >> /XObject << /x7 7 0 R >> >>")).write(to: url)
        let result = try #require(
            try PythonTools.runJobs(script: "Tests/Tools/pdfa_check.py", [["id": "plain", "kind": "pdf", "pdf": url.path]])["plain"])
        let errors = (result["errors"] as? [String] ?? []).joined(separator: "\n")
        for expected in ["/ca 0.5", "transparency group", "/Interpolate true", "no /Metadata", "0 GTS_PDFA1 output intents", "no /ID"] {
            #expect(errors.contains(expected), "\(expected) in \(errors)")
        }
    }

    @Test func littleCMSReadsTheProfileAsSRGB() throws {
        let url = FileManager.default.temporaryDirectory.appending(path: "lanyard-\(UUID().uuidString).icc")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(SRGBProfile.bytes).write(to: url)
        let result = try #require(
            try PythonTools.runJobs(script: "Tests/Tools/pdfa_check.py", [["id": "icc", "kind": "icc", "icc": url.path]])["icc"])
        #expect(result["error"] == nil, "\(result["error"] ?? "")")
        #expect(result["description"] as? String == "sRGB IEC61966-2.1 (Lanyard)")
        #expect(result["device_class"] as? String == "mntr" && result["colour_space"] as? String == "RGB ")
        #expect(result["version"] as? Int == 2 && result["size_field"] as? Int == SRGBProfile.bytes.count)
        // Colours through this profile into littlecms's own sRGB come out as they went in.
        #expect((result["max_difference"] as? Int ?? 255) <= 1, "\(result)")
    }
}

enum PDFAChecks {
    static let qpdfInstalled = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
        FileManager.default.isExecutableFile(atPath: "\($0)/qpdf")
    }
    static let available = qpdfInstalled && PythonTools.canImport("pikepdf, PIL")
    static var enabled: Bool { available || PythonTools.required }
}
