import Foundation
import LanyardSupport
import Printers
import Raster
import Testing

@Suite("Job decoders")
struct DecoderTests {
    @Test func zplDecoderPlacesFieldsWithHomeAndOrigin() throws {
        // Two hex fields and one B64 field, the second shifted by ^LH and ^FO to an unaligned x.
        let job = Array(
            """
            ^XA^PW24^LL4^LH0,0
            ^FO0,0^GFA,2,2,1,FF80^FS
            ^LH1,1^FO2,0^GFA,1,1,1,F0^FS
            ^FO0,2^GFA,1,1,1,:B64:gA==:\(crcHex("gA=="))^FS
            ^PQ2,0,0,N^XZ
            """.utf8)
        let labels = try ZPLGraphicDecoder.decodeLabels(job)
        #expect(labels.count == 1)
        #expect(labels[0].copies == 2)
        var expected = Bitmap(width: 24, height: 4)
        expected.fill(x: 0, y: 0, width: 8, height: 1, black: true)
        expected[0, 1] = true
        expected.fill(x: 3, y: 1, width: 4, height: 1, black: true)
        expected[1, 3] = true
        #expect(labels[0].bitmap == expected)
    }

    func crcHex(_ text: String) -> String {
        let crc = CRC16XMODEM.checksum(Array(text.utf8))
        let digits = String(crc, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }

    @Test func zplDecoderReadsBinaryFields() throws {
        let job = Array("^XA^PW8^LL2^FO0,0^GFB,2,2,1,".utf8) + [0x5E, 0x7E] + Array("^FS^XZ".utf8)
        #expect(try ZPLGraphicDecoder.decodeLabel(job).bytes == [0x5E, 0x7E])
    }

    @Test(arguments: [
        ("^XA^PW8^LL2^FO0,0^GFA,2,2,1,FF", "ends after 1 of 2 rows"),
        ("^XA^PW8^LL2^FO0,0^GFA,2,2,1,FFFF^FS", "never closed"),
        ("^XA^LL2^FO0,0^GFA,2,2,1,FFFF^FS^XZ", "no ^PW"),
        ("^XA^PW8^FO0,0^GFA,2,2,1,FFFF^FS^XZ", "no ^LL"),
        ("^XA^PW8^LL2^FO0,0^GFA,3,3,2,FFFFFF^FS^XZ", "whole number"),
        ("^XA^PW8^LL2^FO0,0^GFA,2,100000,1,FF^FS^XZ", "outside 1...99999"),
        ("^XA^PW8^LL2^FO0,0^GFC,2,2,1,FFFF^FS^XZ", "not supported"),
        ("^XA^PW8^LL2^FO0,0^GFA,2,2,1,:Z64:abc^FS^XZ", "CRC"),
        ("^XA^PW99999^LL2^XZ", "^PW"),
        ("^XA^PW8^LL2^FO0,x5^XZ", "malformed number"),
        ("^XZ", "without ^XA"),
        ("^XA^XA", "inside an open format"),
        ("^GFA,1,1,1,FF", "outside"),
        ("^XA^PW8^LL2^XZ^", "truncated"),
    ])
    func malformedZPLIsRejected(text: String, reason: String) throws {
        let error = try #require(throws: PrintersError.self) { try ZPLGraphicDecoder.decodeLabels(Array(text.utf8)) }
        #expect(error.code == .malformedJob)
        #expect(error.description.contains(reason), "\(error)")
        #expect(error.offset != nil)
    }

    @Test(arguments: [
        ("\nN\nGW0,0,1,1,\u{0}\nP1\n", "before q and Q"),
        ("\nN\nq8\nQ1,24\nGW0,0,1,2,\u{0}", "job ends first"),
        ("\nN\nq8\nQ1,24\nGW0,0,0,2,\nP1\n", "empty or too large"),
        ("\nN\nq8\nQ1,24\nGW0,0,1\nP1\n", "followed by a comma"),
        ("\nN\nq99999\n", "q needs"),
        ("\nN\nq8\nQ0,24\n", "Q needs"),
        ("\nN\nq8\nQ2,24\nPx\n", "malformed number"),
    ])
    func malformedEPLIsRejected(text: String, reason: String) throws {
        let error = try #require(throws: PrintersError.self) { try EPLGraphicDecoder.decodeLabels(Array(text.utf8)) }
        #expect(error.code == .malformedJob)
        #expect(error.description.contains(reason), "\(error)")
    }

    @Test func everyTruncatedZPLJobIsAnError() throws {
        let bitmap = Fixtures.blocks(width: 40, height: 30, seed: 5)
        for options in [ZPLEncoder.Options(allowedEncodings: [.acs]), ZPLEncoder.Options(allowedEncodings: [.z64])] {
            let job = try ZPLEncoder.encode(bitmap: bitmap, settings: Fixtures.settings(width: 40, length: 30), options: options)
            let end = try #require(job.text.range(of: "^XZ")).upperBound.utf16Offset(in: job.text)
            for length in 0..<end {
                let prefix = Array(job.bytes.prefix(length))
                #expect(throws: PrintersError.self, "prefix of \(length) bytes") { try ZPLGraphicDecoder.decodeLabel(prefix) }
            }
            #expect(try ZPLGraphicDecoder.decodeLabel(Array(job.bytes.prefix(end))) == bitmap)
        }
    }

    @Test func everyTruncatedEPLJobPrintsNothingOrFails() throws {
        let profile = try Fixtures.profile("zebra-gk420d-203")
        let bitmap = Fixtures.noise(width: 40, height: 30, density: 0.4, seed: 6)
        let job = try EPLEncoder.encode(bitmap: bitmap, settings: Fixtures.settings(width: 40, length: 30), profile: profile)
        for length in 0..<(job.bytes.count - 2) {
            let prefix = Array(job.bytes.prefix(length))
            do {
                let labels = try EPLGraphicDecoder.decodeLabels(prefix)
                #expect(labels.isEmpty, "a prefix of \(length) bytes must not print")
            } catch {
                #expect(error.code == .malformedJob)
            }
        }
    }

    @Test func randomBytesNeverTrap() {
        var generator = SplitMix64(seed: 2026)
        let alphabet = Array("^~XAZPWLLHFOGFSQ0123456789,:!ghzGHY ABCDEFabcdef\r\nNqQDSGWP".utf8)
        for round in 0..<3000 {
            let length = Int.random(in: 0...120, using: &generator)
            let fromAlphabet = round % 2 == 0
            let bytes = (0..<length).map { _ in
                fromAlphabet ? alphabet.randomElement(using: &generator) ?? 0 : UInt8.random(in: 0...255, using: &generator)
            }
            _ = try? ZPLGraphicDecoder.decodeLabels(bytes)
            _ = try? EPLGraphicDecoder.decodeLabels(bytes)
            _ = try? ZPLASCIICompression.decode(bytes, totalBytes: 24, bytesPerRow: 3)
            _ = try? ZPLGraphicData.decode(Array(":Z64:".utf8) + bytes, totalBytes: 24, bytesPerRow: 3)
            _ = Base64.decode(bytes)
        }
    }

    @Test func mutatedJobsNeverTrap() throws {
        var generator = SplitMix64(seed: 77)
        let profile = try Fixtures.profile("zebra-gk420d-203")
        let bitmap = Fixtures.blocks(width: 64, height: 40, seed: 9)
        let settings = Fixtures.settings(width: 64, length: 40)
        let jobs = [
            try ZPLEncoder.encode(bitmap: bitmap, settings: settings, options: .init(allowedEncodings: [.acs])).bytes,
            try ZPLEncoder.encode(bitmap: bitmap, settings: settings, options: .init(allowedEncodings: [.z64])).bytes,
            try EPLEncoder.encode(bitmap: bitmap, settings: settings, profile: profile).bytes,
        ]
        var zplRejected = 0
        for round in 0..<1500 {
            var job = jobs[round % jobs.count]
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                job[Int.random(in: 0..<job.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            do { _ = try ZPLGraphicDecoder.decodeLabels(job) } catch { zplRejected += 1 }
            _ = try? EPLGraphicDecoder.decodeLabels(job)
        }
        #expect(zplRejected > 0, "corruption must be detected at least sometimes")
    }
}
