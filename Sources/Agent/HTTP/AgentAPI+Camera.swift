import Foundation
import Hummingbird
import LanyardHTTP
import LanyardSupport
import Symbols
import Synchronization

/// The kiosk camera's frames, read on the box: Chromium on Linux has no `BarcodeDetector` and the
/// page loads nothing from elsewhere, so the page sends grayscale frames and the agent reads them
/// with zxing-cpp. Anonymous like the page, and it changes nothing: the page checks in with the
/// text it gets back, as it does with a keyboard scanner's.
extension AgentAPI {
    static let cameraDecodePath = "/v1/kiosk/decode"
    /// Raw pixels, one byte each: a type a page of another site cannot send without a CORS
    /// preflight, which the agent never grants (`BrowserBoundaryMiddleware`).
    static let cameraFrameType = "application/octet-stream"
    /// A 2048 x 2048 frame at most; the page sends 640 x 480 (300 KB).
    static let cameraFrameMaxBytes = 4 << 20
    /// Frames read at the same time. The kiosk page has one in flight; a second leaves room for
    /// a page reloaded mid-read or a second screen, and reading never takes more than the box's
    /// two cores.
    static let cameraDecodesAtOnce = 2

    static func addCameraRoutes(to router: Router<APIRequestContext>) {
        let readers = FrameReaders(limit: cameraDecodesAtOnce)
        router.post(RouterPath(cameraDecodePath)) { request, context in
            let width = try frameSide("width", request)
            let height = try frameSide("height", request)
            // A reader is taken before the body is read, so refused frames are never held in memory.
            guard readers.take() else { throw RateLimited(retryAfterSeconds: 1, "the kiosk is still reading earlier frames") }
            defer { readers.give() }
            let pixels = [UInt8](try await bodyData(request, upTo: cameraFrameMaxBytes))
            let symbols = try await Blocking.run { try SymbolReader.readQRCodes(luminance: pixels, width: width, height: height) }
            return json(.ok, DecodedSymbolList(symbols: symbols.map(DecodedSymbolView.init)))
        }
    }

    private static func frameSide(_ name: String, _ request: Request) throws -> Int {
        guard let side = request.uri.queryParameters.get(name, as: Int.self) else {
            throw AgentError(.requestInvalid, "the frame's \(name) in pixels, a whole number, is a required query parameter", detail: name)
        }
        return side
    }
}

/// How many frames are being read; a frame beyond `limit` is refused at once rather than queued,
/// since the camera sends a newer one a moment later.
private final class FrameReaders: Sendable {
    let limit: Int
    private let busy = Mutex(0)

    init(limit: Int) { self.limit = limit }

    func take() -> Bool {
        busy.withLock { busy in
            guard busy < limit else { return false }
            busy += 1
            return true
        }
    }

    func give() { busy.withLock { $0 -= 1 } }
}
