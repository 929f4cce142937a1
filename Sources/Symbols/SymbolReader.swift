internal import CZXingBridge

/// A code read from an image.
public struct DecodedSymbol: Sendable, Equatable, Hashable {
    public enum Format: String, Sendable, Hashable, CaseIterable {
        case qrCode = "qr_code"

        /// zxing-cpp's name of the format (`ToString(BarcodeFormat)`).
        var zxingName: String {
            switch self {
            case .qrCode: "QRCode"
            }
        }
    }

    /// The payload as text: UTF-8, or the character set zxing-cpp took it to be in when the code
    /// says none (libqrencode writes no ECI, which is why badges carry ASCII payloads).
    public let text: String
    public let format: Format

    public init(text: String, format: Format) {
        self.text = text
        self.format = format
    }
}

/// QR codes read back from camera frames by zxing-cpp (Debian's libzxing-dev, through the
/// `CZXingBridge` C function): the kiosk's camera, decoded on the box, as Chromium on Linux has no
/// `BarcodeDetector` and the kiosk page loads nothing from elsewhere. Safe to call from several
/// threads at once: each read has its own state.
public enum SymbolReader {
    /// The largest side read, in pixels: it bounds the memory and time of a mistaken or hostile
    /// size (a 640 x 480 camera frame is what the kiosk sends).
    public static let maximumSide = 4096

    /// Every QR code in an 8-bit grayscale image, row after row with no padding (0 black, 255
    /// white), in the order zxing-cpp found them; empty when there is none. Blocks for the time of
    /// the read (milliseconds for a camera frame; docs/benchmarks.md), so async callers run it
    /// through `Blocking.run`.
    public static func readQRCodes(luminance: [UInt8], width: Int, height: Int) throws(SymbolError) -> [DecodedSymbol] {
        guard (1...maximumSide).contains(width), (1...maximumSide).contains(height) else {
            throw SymbolError(
                code: .invalidImage, message: "an image to read must be 1 to \(maximumSide) pixels a side, got \(width) x \(height)")
        }
        guard luminance.count == width * height else {
            throw SymbolError(
                code: .invalidImage,
                message: "a \(width) x \(height) grayscale image has \(width * height) pixels, got \(luminance.count) bytes")
        }
        var result = luminance.withUnsafeBufferPointer { pixels in
            lanyard_zxing_read_qr_codes(pixels.baseAddress, Int32(width), Int32(height), Int32(width))
        }
        defer { lanyard_zxing_result_free(&result) }
        if let error = result.error {
            throw SymbolError(code: .decoderFailed, message: "zxing-cpp could not read the image", cause: String(cString: error))
        }
        var symbols: [DecodedSymbol] = []
        for index in 0..<result.count {
            let found = result.symbols[index]
            let name = String(cString: found.format)
            guard let format = DecodedSymbol.Format.allCases.first(where: { $0.zxingName == name }) else {
                throw SymbolError(code: .decoderFailed, message: "zxing-cpp read a code of a format not asked for", cause: name)
            }
            let bytes = UnsafeRawBufferPointer(start: found.text, count: found.text_length)
            symbols.append(DecodedSymbol(text: String(decoding: bytes, as: UTF8.self), format: format))
        }
        return symbols
    }
}
