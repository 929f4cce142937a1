import ArgumentParser
import LanyardSupport
import Raster
import Symbols

/// `lanyard-bench --camera`: what one kiosk camera frame costs the agent, the read alone
/// (`SymbolReader`, zxing-cpp), as `POST /v1/kiosk/decode` runs it. Frames of the size the page
/// sends, 640 x 480: a ticket's QR code near and far, drawn clean and as a webcam shows it
/// (blurred, low contrast, sensor noise), and two frames without one (a smooth scene, and noise,
/// the binarizer's worst case). The page sends at most four frames a second, one at a time, so a
/// frame's p50 times four is the share of one core a camera left open takes.
struct CameraBenchOptions: ParsableArguments {
    @Flag(
        name: .customLong("camera"),
        help: "Measure reading QR codes from the kiosk camera's 640 x 480 grayscale frames instead (build with -c release).")
    var enabled = false

    @Option(name: .customLong("camera-frames"), help: "Timed reads of each kind of frame, after 20 untimed.")
    var frames = 500
}

struct CameraBench {
    static let width = 640
    static let height = 480
    /// A ticket's payload as printed on a badge: `event|attendee|token|tier`.
    static let ticket = "devcon-2026|74c89e1f-04d5-5282-b0a5-392def00c1c6|hrgPrr6cKeWPJhZp0_Vs5w|staff"

    let options: CameraBenchOptions

    func run() throws {
        let code = try QRCode.encode(Self.ticket).matrix.bitmap(moduleDots: 1)
        var random = SplitMix64(seed: 2026)
        let kinds: [(String, [UInt8], Bool)] = [
            ("ticket QR code, 4 px a module (held close)", Self.frame(with: code, scale: 4), true),
            ("ticket QR code, 2 px a module (held far)", Self.frame(with: code, scale: 2), true),
            ("ticket QR code, 3 px a module, blurred, low contrast, noisy", Self.webcam(Self.frame(with: code, scale: 3), &random), true),
            ("no code: a smooth scene", Self.gradient(), false),
            ("no code: noise", (0..<(Self.width * Self.height)).map { _ in UInt8.random(in: 0...255, using: &random) }, false),
        ]
        var rows: [[String]] = []
        for (name, pixels, hasCode) in kinds {
            var times: [Double] = []
            for index in 0..<(options.frames + 20) {
                let start = ContinuousClock.now
                let symbols = try SymbolReader.readQRCodes(luminance: pixels, width: Self.width, height: Self.height)
                let elapsed = (ContinuousClock.now - start).milliseconds
                guard symbols.map(\.text) == (hasCode ? [Self.ticket] : []) else {
                    throw BenchError(.internal, "\(name): read \(symbols.map(\.text))")
                }
                if index >= 20 { times.append(elapsed) }
            }
            rows.append([
                name, BenchCommand.fmt(times.percentile(50)), BenchCommand.fmt(times.percentile(95)), BenchCommand.fmt(times.min() ?? 0),
            ])
        }
        print(
            TextTable.render(
                header: ["\(Self.width) x \(Self.height) camera frame, \(options.frames) reads", "p50 ms", "p95 ms", "min ms"],
                rows: rows))
    }

    /// The code on a mid-gray background, off centre as a hand holds a ticket.
    static func frame(with code: Bitmap, scale: Int) -> [UInt8] {
        var pixels = [UInt8](repeating: 128, count: width * height)
        code.drawLuminance(
            into: &pixels, frameWidth: width, atX: width / 2 - code.width * scale / 3, y: height / 2 - code.height * scale / 2, scale: scale
        )
        return pixels
    }

    /// What a cheap webcam makes of a frame: a 3 x 3 box blur, the contrast squeezed into 60...180
    /// and up to +-16 of noise a pixel.
    static func webcam(_ pixels: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var out = pixels
        for y in 1..<(height - 1) {
            for x in 1..<(width - 1) {
                var sum = 0
                for dy in -1...1 { for dx in -1...1 { sum += Int(pixels[(y + dy) * width + x + dx]) } }
                let value = 60 + sum / 9 * 120 / 255 + Int.random(in: -16...16, using: &random)
                out[y * width + x] = UInt8(clamping: value)
            }
        }
        return out
    }

    static func gradient() -> [UInt8] {
        (0..<(width * height)).map { index in UInt8(truncatingIfNeeded: (index % width + index / width) * 255 / (width + height)) }
    }
}
