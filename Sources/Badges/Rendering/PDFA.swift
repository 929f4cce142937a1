import Crypto
public import Foundation
public import LanyardSupport

/// Turns the PDF cairo writes into a PDF/A-2b document (ISO 19005-2, level B), which office
/// printers take over IPP. cairo is asked for PDF 1.4, which it writes as plain objects with one
/// classic cross-reference table; the file is written anew from those objects (no incremental
/// update, so nothing of cairo's own document information stays behind) with:
/// - an XMP metadata stream on the catalog naming PDF/A-2b, and an information dictionary that
///   says the same as the XMP;
/// - an sRGB output intent (`SRGBProfile`), under which DeviceRGB and DeviceGray are allowed;
/// - an explicit `/CIDToGIDMap /Identity` on cairo's TrueType CID fonts, and `/Interpolate false`;
/// - a trailer `/ID` hashed from the content;
/// - no transparency, though PDF/A-2 allows it, so that no printer has to flatten a badge:
///   cairo's page transparency groups are dropped (nothing on a badge is translucent), and a soft
///   mask, constant alpha below 1 or blend mode is refused rather than written, as is a font
///   without its program embedded.
public enum PDFA {
    /// What the information dictionary and the XMP metadata both say.
    public struct DocumentInfo: Sendable {
        public var title: String
        /// The application that made the document's content (`/Creator`, xmp:CreatorTool).
        public var creatorTool: String
        /// What wrote the PDF (`/Producer`, pdf:Producer).
        public var producer: String
        /// Creation and modification date, to the second.
        public var date: Date

        public init(title: String, creatorTool: String, producer: String, date: Date) {
            self.title = title
            self.creatorTool = creatorTool
            self.producer = producer
            self.date = date
        }
    }

    /// The PDF/A-2b version of a PDF that has one cross-reference table and no incremental
    /// update. The same input and info give the same bytes.
    public static func conform(_ pdf: [UInt8], info: DocumentInfo) throws(BadgeError) -> [UInt8] {
        let source = try ClassicPDF(pdf)
        guard let root = source.trailer.reference("Root") else { throw BadgeError(.pdfaFailed, "the trailer names no catalog") }
        var size = source.size
        func newReference() -> PDFReference {
            size += 1
            return PDFReference(number: size - 1, generation: 0)
        }
        let metadata = newReference(), profile = newReference()
        let infoReference = source.trailer.reference("Info").flatMap { source.contains($0) ? $0 : nil } ?? newReference()

        var writer = PDFWriter(minorVersion: source.minorVersion)
        var catalogSeen = false
        for object in source.objects where object.reference != infoReference {
            var scanner = PDFScanner(pdf, at: object.range.lowerBound)
            try scanner.objectHeader(object.reference)
            let value = try scanner.value()
            guard scanner.position <= object.range.upperBound else {
                throw scanner.failure("object \(object.reference.number) runs past the next object")
            }
            try audit(value, in: object.reference)
            guard case .dictionary(var dictionary) = value else {
                writer.append(pdf[object.range], as: object.reference)
                continue
            }
            var changed = false
            if object.reference == root {
                guard dictionary.name("Type") == "Catalog" else { throw BadgeError(.pdfaFailed, "the trailer's root is not a catalog") }
                dictionary["Metadata"] = .reference(metadata)
                dictionary["OutputIntents"] = .array([.dictionary(outputIntent(profile: profile))])
                catalogSeen = true
                changed = true
            }
            if dictionary["Group"]?.dictionary?.name("S") == "Transparency" {
                dictionary["Group"] = nil
                changed = true
            }
            // PDF/A-2 6.2.11.3.2 wants the map written out; cairo's subsets number their CIDs as
            // their glyphs, which is what a missing map means.
            if dictionary.name("Subtype") == "CIDFontType2", dictionary["CIDToGIDMap"] == nil {
                dictionary["CIDToGIDMap"] = .name("Identity")
                changed = true
            }
            // PDF/A-2 6.2.8.3: only a false Interpolate; for 1-bit dots it changes nothing.
            if dictionary["Interpolate"] == .boolean(true) {
                dictionary["Interpolate"] = .boolean(false)
                changed = true
            }
            if changed {
                // The rest, from the end of the dictionary: any stream, and `endobj`.
                let rest = pdf[scanner.position..<object.range.upperBound]
                writer.append(PDFWriter.objectHeader(object.reference) + dictionary.serialized + rest, as: object.reference)
            } else {
                writer.append(pdf[object.range], as: object.reference)
            }
        }
        guard catalogSeen else { throw BadgeError(.pdfaFailed, "the catalog, object \(root.number), is not in the file") }

        let dates = dateStrings(info.date)
        writer.stream(metadata, dictionary: ["Type": .name("Metadata"), "Subtype": .name("XML")], data: xmp(info, dates: dates))
        writer.stream(profile, dictionary: ["N": .number("3")], data: SRGBProfile.bytes)
        var infoDictionary = PDFDictionary()
        infoDictionary["Title"] = .text(info.title)
        infoDictionary["Creator"] = .text(info.creatorTool)
        infoDictionary["Producer"] = .text(info.producer)
        infoDictionary["CreationDate"] = .text(dates.info)
        infoDictionary["ModDate"] = .text(dates.info)
        writer.object(infoReference, infoDictionary.serialized + Array("\n".utf8))
        return writer.finish(size: size, root: root, info: infoReference, freeGenerations: source.freeGenerations)
    }

    private static func outputIntent(profile: PDFReference) -> PDFDictionary {
        var intent = PDFDictionary()
        intent["Type"] = .name("OutputIntent")
        intent["S"] = .name("GTS_PDFA1")
        intent["OutputConditionIdentifier"] = .text(SRGBProfile.name)
        intent["Info"] = .text(SRGBProfile.name)
        intent["RegistryName"] = .text("http://www.color.org")
        intent["DestOutputProfile"] = .reference(profile)
        return intent
    }

    /// Refuses what PDF/A-2b (or the no-transparency rule) does not allow, anywhere in an object.
    private static func audit(_ value: PDFValue, in reference: PDFReference) throws(BadgeError) {
        switch value {
        case .dictionary(let dictionary):
            func refuse(_ what: String) -> BadgeError {
                BadgeError(.pdfaFailed, "object \(reference.number) has \(what), which a PDF/A-2b badge must not")
            }
            for entry in dictionary.entries {
                switch (entry.key, entry.value) {
                case ("SMask", let mask) where mask != .name("None"): throw refuse("a soft mask")
                case ("CA", .number(let alpha)), ("ca", .number(let alpha)):
                    if (Double(alpha) ?? 0) < 1 { throw refuse("a constant alpha of \(alpha)") }
                case ("BM", let mode) where mode != .name("Normal") && mode != .name("Compatible"): throw refuse("a blend mode")
                default: break
                }
                try audit(entry.value, in: reference)
            }
            if dictionary.name("Type") == "FontDescriptor",
                !["FontFile", "FontFile2", "FontFile3"].contains(where: { dictionary[$0] != nil })
            {
                throw refuse("a font descriptor without an embedded font program")
            }
        case .array(let items):
            for item in items { try audit(item, in: reference) }
        default:
            break
        }
    }

    /// The date as the information dictionary writes it and as XMP does, in UTC to the second.
    static func dateStrings(_ date: Date) -> (info: String, xmp: String) {
        let seconds = Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
        let stamp = Timestamps.iso8601(seconds).prefix(19)  // 2025-01-02T03:04:05
        return ("D:\(stamp.filter(\.isNumber))+00'00'", "\(stamp)+00:00")
    }

    /// An XMP packet (ISO 16684-1) without the `bytes` and `encoding` attributes PDF/A forbids.
    static func xmp(_ info: DocumentInfo, dates: (info: String, xmp: String)) -> [UInt8] {
        func escaped(_ text: String) -> String {
            var out = ""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "&": out += "&amp;"
                case "<": out += "&lt;"
                case ">": out += "&gt;"
                case "\"": out += "&quot;"
                case _ where scalar.value < 0x20: out += " "
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out
        }
        let packet = """
            <?xpacket begin="\u{FEFF}" id="W5M0MpCehiHzreSzNTczkc9d"?>
            <x:xmpmeta xmlns:x="adobe:ns:meta/">
             <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
              <rdf:Description rdf:about=""
                xmlns:dc="http://purl.org/dc/elements/1.1/"
                xmlns:xmp="http://ns.adobe.com/xap/1.0/"
                xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
                xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
               <dc:format>application/pdf</dc:format>
               <dc:title><rdf:Alt><rdf:li xml:lang="x-default">\(escaped(info.title))</rdf:li></rdf:Alt></dc:title>
               <xmp:CreatorTool>\(escaped(info.creatorTool))</xmp:CreatorTool>
               <xmp:CreateDate>\(dates.xmp)</xmp:CreateDate>
               <xmp:ModifyDate>\(dates.xmp)</xmp:ModifyDate>
               <pdf:Producer>\(escaped(info.producer))</pdf:Producer>
               <pdfaid:part>2</pdfaid:part>
               <pdfaid:conformance>B</pdfaid:conformance>
              </rdf:Description>
             </rdf:RDF>
            </x:xmpmeta>
            <?xpacket end="r"?>
            """
        return Array(packet.utf8)
    }
}

/// A PDF with one classic cross-reference table (ISO 32000-1, 7.5.4) and no update after it, as
/// cairo writes PDF 1.4: its header version, its trailer, and where each object lies. An object's
/// bytes run from its offset to the next object's, or to the table.
struct ClassicPDF {
    let minorVersion: Int
    let trailer: PDFDictionary
    /// In-use objects in file order.
    let objects: [(reference: PDFReference, range: Range<Int>)]
    let freeGenerations: [Int: Int]
    let size: Int

    init(_ bytes: [UInt8]) throws(BadgeError) {
        let header = Array("%PDF-1.".utf8)
        guard bytes.starts(with: header), bytes.count > header.count, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(bytes[header.count])
        else { throw BadgeError(.pdfaFailed, "not a PDF 1.0 to 1.7 file") }
        minorVersion = Int(bytes[header.count] - UInt8(ascii: "0"))

        let end = bytes.lastIndex { !PDFScanner.isWhitespace($0) }.map { $0 + 1 } ?? 0
        let keyword = Array("startxref".utf8)
        guard bytes[..<end].ends(with: Array("%%EOF".utf8)),
            let found = bytes[max(0, end - 1024)..<end].lastRange(of: keyword)
        else { throw BadgeError(.pdfaFailed, "no startxref and %%EOF at the end: the file is truncated") }
        var scanner = PDFScanner(bytes, at: found.upperBound)
        let tableOffset = try scanner.integer()
        guard tableOffset < bytes.count else { throw scanner.failure("startxref points past the end") }

        scanner.position = tableOffset
        guard scanner.token() == "xref" else {
            throw BadgeError(.pdfaFailed, "no cross-reference table at byte \(tableOffset) (a cross-reference stream is not read)")
        }
        var inUse: [(reference: PDFReference, offset: Int)] = []
        var free: [Int: Int] = [:]
        while true {
            let sectionStart = scanner.position
            if scanner.token() == "trailer" { break }
            scanner.position = sectionStart
            let first = try scanner.integer(), count = try scanner.integer()
            // 8,388,607 objects is PDF's own limit (ISO 32000-1, C.2); each entry takes 20 bytes.
            guard first < 8_388_608, count <= bytes.count / 20, first + count <= 8_388_608 else {
                throw scanner.failure("a table section claims \(count) objects from \(first)")
            }
            for number in first..<(first + count) {
                let offset = try scanner.integer(), generation = try scanner.integer()
                switch scanner.token() {
                case "n": inUse.append((PDFReference(number: number, generation: generation), offset))
                case "f": free[number] = generation
                default: throw scanner.failure("a table entry is neither 'n' nor 'f'")
                }
            }
        }
        guard case .dictionary(let trailer) = try scanner.value() else { throw scanner.failure("the trailer is not a dictionary") }
        guard trailer["Encrypt"] == nil else { throw BadgeError(.pdfaFailed, "the file is encrypted") }
        guard trailer["Prev"] == nil else { throw BadgeError(.pdfaFailed, "the file has incremental updates") }
        guard case .number(let sizeText) = trailer["Size"], let size = Int(sizeText) else {
            throw BadgeError(.pdfaFailed, "the trailer has no /Size")
        }
        self.trailer = trailer
        self.size = size
        freeGenerations = free

        inUse.sort { $0.offset < $1.offset }
        var objects: [(reference: PDFReference, range: Range<Int>)] = []
        for (index, entry) in inUse.enumerated() {
            let next = index + 1 < inUse.count ? inUse[index + 1].offset : tableOffset
            guard entry.offset >= header.count, entry.offset < next, entry.reference.number < size else {
                throw BadgeError(.pdfaFailed, "object \(entry.reference.number) has an impossible offset \(entry.offset)")
            }
            objects.append((entry.reference, entry.offset..<next))
        }
        self.objects = objects
    }

    func contains(_ reference: PDFReference) -> Bool {
        objects.contains { $0.reference == reference }
    }
}

/// Writes a PDF from its objects: header, bodies, one cross-reference table and a trailer whose
/// `/ID` is the SHA-256 of everything before the table (the first 16 bytes, twice: a new file).
struct PDFWriter {
    private var bytes: [UInt8]
    private var offsets: [Int: (offset: Int, generation: Int)] = [:]

    /// The header line, then a comment of bytes above 127 that marks the file as binary (PDF/A-2 6.1.2).
    init(minorVersion: Int) {
        bytes = Array("%PDF-1.\(minorVersion)\n%".utf8) + [0xE2, 0xE3, 0xCF, 0xD3, 0x0A]
    }

    static func objectHeader(_ reference: PDFReference) -> [UInt8] {
        Array("\(reference.number) \(reference.generation) obj\n".utf8)
    }

    /// A whole object, `N G obj` to `endobj` and its end of line.
    mutating func append(_ object: some Sequence<UInt8>, as reference: PDFReference) {
        offsets[reference.number] = (bytes.count, reference.generation)
        bytes += object
    }

    /// `body` is everything between `obj` and `endobj`, ending in its own end of line.
    mutating func object(_ reference: PDFReference, _ body: [UInt8]) {
        append(Self.objectHeader(reference) + body + Array("endobj\n".utf8), as: reference)
    }

    /// An unfiltered stream; `/Length` is added to the dictionary.
    mutating func stream(_ reference: PDFReference, dictionary entries: KeyValuePairs<String, PDFValue>, data: [UInt8]) {
        var dictionary = PDFDictionary()
        for (key, value) in entries { dictionary[key] = value }
        dictionary["Length"] = .number(String(data.count))
        object(reference, dictionary.serialized + Array("\nstream\n".utf8) + data + Array("\nendstream\n".utf8))
    }

    /// The table lists objects 0 to `size` - 1; numbers not written are free, linked in order.
    func finish(size: Int, root: PDFReference, info: PDFReference, freeGenerations: [Int: Int]) -> [UInt8] {
        var out = bytes
        let digest = Array(SHA256.hash(data: out).prefix(16))
        let id = "<" + digest.map { PDFValue.hex($0, digits: 2) }.joined() + ">"
        let tableOffset = out.count
        let free = (0..<size).filter { offsets[$0] == nil }
        var table = "xref\n0 \(size)\n"
        for number in 0..<size {
            if let entry = offsets[number] {
                table += "\(Self.padded(entry.offset, 10)) \(Self.padded(entry.generation, 5)) n \n"
            } else {
                let index = free.firstIndex(of: number) ?? 0
                let next = index + 1 < free.count ? free[index + 1] : 0
                let generation = number == 0 ? 65535 : freeGenerations[number] ?? 0
                table += "\(Self.padded(next, 10)) \(Self.padded(generation, 5)) f \n"
            }
        }
        var trailer = PDFDictionary()
        trailer["Size"] = .number(String(size))
        trailer["Root"] = .reference(root)
        trailer["Info"] = .reference(info)
        trailer["ID"] = .array([.string(Array(id.utf8)), .string(Array(id.utf8))])
        table += "trailer\n" + String(decoding: trailer.serialized, as: UTF8.self) + "\nstartxref\n\(tableOffset)\n%%EOF\n"
        out += Array(table.utf8)
        return out
    }

    private static func padded(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}

extension ArraySlice where Element == UInt8 {
    /// The last place `pattern` occurs, as indices of the base array.
    fileprivate func lastRange(of pattern: [UInt8]) -> Range<Int>? {
        guard count >= pattern.count else { return nil }
        var start = endIndex - pattern.count
        while start >= startIndex {
            if self[start..<(start + pattern.count)].elementsEqual(pattern) { return start..<(start + pattern.count) }
            start -= 1
        }
        return nil
    }

    fileprivate func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && self[(endIndex - suffix.count)...].elementsEqual(suffix)
    }
}
