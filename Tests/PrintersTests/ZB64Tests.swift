import LanyardSupport
import Printers
import Raster
import Testing

@Suite("CRC-16/XMODEM, Base64 and ZB64")
struct ZB64Tests {
    @Test func crcCheckValue() {
        #expect(CRC16XMODEM.checksum(Array("123456789".utf8)) == 0x31C3)
        #expect(CRC16XMODEM.checksum([UInt8]()) == 0x0000)
    }

    @Test func b64VectorFromTheReference() {
        #expect(ZPLGraphicData.b64([0xFF, 0x00, 0xFF, 0x00]).ascii == ":B64:/wD/AA==:98F1")
    }

    @Test func z64VectorFromTheReferenceDecodes() throws {
        // Produced by Python zlib.compress (level 6); our deflater may differ, the decoder must not care.
        let data = Array(":Z64:eJz7z/CfAQAF/gH/:5B7D".utf8)
        #expect(try ZPLGraphicData.decode(data, totalBytes: 4, bytesPerRow: 2) == [0xFF, 0x00, 0xFF, 0x00])
    }

    @Test func base64KnownAnswers() {
        let cases: [(String, String)] = [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foobar", "Zm9vYmFy")]
        for (plain, encoded) in cases {
            #expect(Base64.encode(Array(plain.utf8)).ascii == encoded)
            #expect(Base64.decode(Array(encoded.utf8)) == Array(plain.utf8))
        }
    }

    @Test func base64RejectsMalformedText() {
        for text in ["Zg=", "Z===", "Zg==Zg==", "Zh==", "Zm9v!", "====", "Zm=v"] {
            #expect(Base64.decode(Array(text.utf8)) == nil, "\(text) should be rejected")
        }
    }

    @Test func base64RoundTripsRandomBytes() {
        var generator = SplitMix64(seed: 64)
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        }
    }

    @Test(arguments: [(1, 1), (8, 3), (203, 17), (1200, 90)])
    func z64RoundTrip(width: Int, height: Int) throws {
        let bitmap = Fixtures.noise(width: width, height: height, density: 0.1, seed: UInt64(width * height))
        let data = try ZPLGraphicData.z64(bitmap.bytes)
        let text = data.ascii
        #expect(text.hasPrefix(":Z64:"))
        // The CRC is recomputed over the Base64 text, excluding header and colons.
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        #expect(parts.count == 4)
        // A real zlib stream (RFC 1950), as printers expect: deflate with a 32 KB window, a
        // header whose check bits make it a multiple of 31, and an Adler-32 of the raster last.
        let stream = try #require(Base64.decode(Array(parts[2].utf8)))
        #expect(stream[0] == 0x78)
        #expect((Int(stream[0]) << 8 | Int(stream[1])) % 31 == 0)
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in bitmap.bytes {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        #expect(Array(stream.suffix(4)) == [UInt8(b >> 8), UInt8(b & 0xFF), UInt8(a >> 8), UInt8(a & 0xFF)])
        var crc: [UInt8] = []
        let checksum = CRC16XMODEM.checksum(Array(parts[2].utf8))
        crc.append(contentsOf: String(checksum, radix: 16, uppercase: true).utf8)
        #expect(String(parts[3]) == String(repeating: "0", count: 4 - crc.count) + crc.ascii)
        #expect(try ZPLGraphicData.decode(data, totalBytes: bitmap.bytes.count, bytesPerRow: bitmap.bytesPerRow) == bitmap.bytes)
    }

    @Test func wrongCRCIsRejected() throws {
        var data = try ZPLGraphicData.z64([0xFF, 0x00, 0xFF, 0x00])
        let last = data.count - 1
        data[last] = data[last] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        let error = try #require(throws: PrintersError.self) {
            try ZPLGraphicData.decode(data, totalBytes: 4, bytesPerRow: 2)
        }
        #expect(error.code == .malformedJob)
        #expect(error.message.contains("CRC"))
    }

    @Test func wrongSizeIsRejected() throws {
        let data = try ZPLGraphicData.z64([0xFF, 0x00, 0xFF, 0x00])
        #expect(throws: PrintersError.self) { try ZPLGraphicData.decode(data, totalBytes: 6, bytesPerRow: 2) }
        #expect(throws: PrintersError.self) { try ZPLGraphicData.decode(data, totalBytes: 2, bytesPerRow: 2) }
        let b64 = ZPLGraphicData.b64([0xFF, 0x00, 0xFF, 0x00])
        #expect(throws: PrintersError.self) { try ZPLGraphicData.decode(b64, totalBytes: 6, bytesPerRow: 2) }
    }
}
