import Foundation
import LanyardSupport
import Printers
import Raster

/// Sample rasters and jobs shared by the simulator, virtual-connection and TCP tests.
enum SimulatorSamples {
    /// The ZPL and EPL profile the samples are encoded for (300 dpi, 1280 dots wide).
    static func profile() throws -> PrinterProfile { try Fixtures.profile("zebra-zd421d-300") }

    /// The same profile forced to one ZPL graphic encoding through its quirks, as LabelEncoder
    /// chooses encodings from the profile.
    static func profile(forcing encoding: ZPLGraphicEncoding) throws -> PrinterProfile {
        var profile = try profile()
        switch encoding {
        case .z64: profile.quirks = [.noASCIICompression]
        case .acs: profile.quirks = [.noZ64]
        case .hex: profile.quirks = [.noZ64, .noASCIICompression]
        }
        return profile
    }

    struct Raster: Sendable, CustomStringConvertible {
        let name: String
        let bitmap: Bitmap
        var description: String { "\(name) \(bitmap.width)x\(bitmap.height)" }
    }

    static let rasters: [Raster] = [
        Raster(name: "random bits", bitmap: Fixtures.noise(width: 203, height: 120, density: 0.5, seed: 11)),
        Raster(name: "all black", bitmap: allBlack(width: 640, height: 400)),
        Raster(name: "all white", bitmap: Bitmap(width: 640, height: 400)),
        Raster(name: "text-like badge", bitmap: Fixtures.badgeLike(seed: 7)),
        Raster(name: "bars and repeats", bitmap: Fixtures.blocks(width: 333, height: 211, seed: 3)),
    ]

    static func allBlack(width: Int, height: Int) -> Bitmap {
        var bitmap = Bitmap(width: width, height: height)
        bitmap.fill(x: 0, y: 0, width: width, height: height, black: true)
        return bitmap
    }

    enum Kind: String, CaseIterable, Sendable {
        case zplZ64 = "ZPL Z64"
        case zplACS = "ZPL ACS"
        case zplHex = "ZPL hex"
        case epl = "EPL"

        var language: PrinterLanguage { self == .epl ? .epl : .zpl }

        /// Text every job of this kind must contain, proving the encoding asked for was used.
        var marker: String? {
            switch self {
            case .zplZ64: ":Z64:"
            case .zplACS, .zplHex, .epl: nil
            }
        }
    }

    static func encode(_ bitmap: Bitmap, as kind: Kind, overrides: JobOverrides = JobOverrides()) throws -> EncodedLabel {
        switch kind {
        case .zplZ64: try LabelEncoder.encode(bitmap: bitmap, profile: profile(forcing: .z64), language: .zpl, overrides: overrides)
        case .zplACS: try LabelEncoder.encode(bitmap: bitmap, profile: profile(forcing: .acs), language: .zpl, overrides: overrides)
        case .zplHex: try LabelEncoder.encode(bitmap: bitmap, profile: profile(forcing: .hex), language: .zpl, overrides: overrides)
        case .epl: try LabelEncoder.encode(bitmap: bitmap, profile: profile(), language: .epl, overrides: overrides)
        }
    }

    /// Every sample raster in every kind of job.
    static var cases: [(Raster, Kind)] { rasters.flatMap { raster in Kind.allCases.map { (raster, $0) } } }

    /// A simulator for `kind`'s language writing PNGs into `directory`.
    static func simulator(
        for language: PrinterLanguage, directory: String? = nil, answerWhenFaulted: Bool = false
    ) throws -> PrinterSimulator {
        var configuration = PrinterSimulator.Configuration(profile: try profile(), language: language, outputDirectory: directory)
        configuration.answersHostStatusWhenFaulted = answerWhenFaulted
        return try PrinterSimulator(configuration: configuration)
    }

    /// Splits `bytes` into pieces of 1...`maxChunk` bytes, reproducibly.
    static func chunks(_ bytes: [UInt8], maxChunk: Int, seed: UInt64) -> [[UInt8]] {
        var generator = SplitMix64(seed: seed)
        var pieces: [[UInt8]] = []
        var start = 0
        while start < bytes.count {
            let end = min(start + Int.random(in: 1...maxChunk, using: &generator), bytes.count)
            pieces.append(Array(bytes[start..<end]))
            start = end
        }
        return pieces
    }
}

/// Status reply helpers: completion predicates a client would use, and field access.
enum SimulatorReplies {
    static let stx: UInt8 = 0x02
    static let etx: UInt8 = 0x03

    /// True once `count` STX…ETX frames and the CR LF after the last one have arrived.
    static func framesComplete(_ count: Int) -> @Sendable ([UInt8]) -> Bool {
        { bytes in bytes.filter { $0 == etx }.count >= count && bytes.last == 0x0A }
    }

    /// True once a CR LF-terminated line has arrived (EPL `^ee`).
    static let lineComplete: @Sendable ([UInt8]) -> Bool = { $0.last == 0x0A }

    /// The text inside each STX…ETX frame.
    static func frames(_ bytes: [UInt8]) -> [String] {
        var frames: [String] = []
        var current: [UInt8]?
        for byte in bytes {
            if byte == stx {
                current = []
            } else if byte == etx, let text = current {
                frames.append(String(decoding: text, as: UTF8.self))
                current = nil
            } else {
                current?.append(byte)
            }
        }
        return frames
    }

    /// `~HS` fields: [string][field].
    static func hostStatusFields(_ bytes: [UInt8]) -> [[String]] {
        frames(bytes).map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    static func hostStatus(
        paperOut: Bool = false, paused: Bool = false, length: Int = 1800, formats: Int = 0,
        partial: Bool = false, headOpen: Bool = false, remaining: Int = 0
    ) -> [UInt8] {
        func flag(_ value: Bool) -> String { value ? "1" : "0" }
        let lengthText = String(repeating: "0", count: max(0, 4 - String(length).count)) + String(length)
        let formatText = String(repeating: "0", count: max(0, 3 - String(formats).count)) + String(formats)
        let remainingText = String(repeating: "0", count: max(0, 8 - String(remaining).count)) + String(remaining)
        return Array(
            ("\u{02}030,\(flag(paperOut)),\(flag(paused)),\(lengthText),\(formatText),0,0,\(flag(partial)),000,0,0,0\u{03}\r\n"
                + "\u{02}000,0,\(flag(headOpen)),0,0,2,0,0,\(remainingText),1,000\u{03}\r\n"
                + "\u{02}1234,0\u{03}\r\n").utf8)
    }

    static func extendedStatus(errors: String) -> [UInt8] {
        let flag = errors == "00000000" ? "0" : "1"
        return Array("\u{02}PRINTER STATUS\r\nERRORS:   \(flag) 00000000 \(errors)\r\nWARNINGS: 0 00000000 00000000\u{03}\r\n".utf8)
    }
}
