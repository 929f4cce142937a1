import Badges
import Foundation
import Glibc
import Printers

/// The render child's wire: frames of a 4-byte big-endian length, then a kind byte and the body.
/// Requests and answers' headers are JSON (small, and readable in a trace); the raster and the
/// label travel as raw bytes after their header, so a 300 dpi badge costs one copy, not base64.
enum RenderFrame {
    enum Kind: UInt8 {
        /// Parent to child: a `RenderRequest`.
        case request = 1
        /// Child to parent: a tier rendered or failed (index: 2 bytes, rendered: 1 byte). A
        /// rendered tier means encoding begins, which is how the parent times each stage.
        case attempt = 2
        /// Child to parent: `RenderedHeader` (its length in 4 bytes first), the raster, the label.
        case rendered = 3
        /// Child to parent: `RenderFailureReasons`, every tier failed.
        case failed = 4
        /// Parent to child: a `DocumentRequest`.
        case documentRequest = 5
        /// Child to parent: `RenderedDocumentHeader` (its length in 4 bytes first), the PDF.
        case document = 6
    }

    /// Far above any badge (a 4-inch label at 600 dpi is under 1 MB of raster): a larger length
    /// is a garbled stream, not a frame to allocate for.
    static let maxLength = 64 << 20

    enum IOError: Error, Equatable {
        case timedOut
        /// The other end closed its side: the process is gone or going.
        case closed
        case failed(Int32)
        case malformed(String)
    }

    static func write(_ kind: Kind, _ body: [UInt8], to fd: Int32) throws(IOError) {
        let length = UInt32(body.count + 1)
        var frame: [UInt8] = [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
        frame.reserveCapacity(body.count + 5)
        frame.append(kind.rawValue)
        frame.append(contentsOf: body)
        var offset = 0
        while offset < frame.count {
            // MSG_NOSIGNAL: a peer that is gone is an error to handle, not a SIGPIPE for the agent.
            let written = frame.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if written < 0 {
                if errno == EINTR { continue }
                throw errno == EPIPE || errno == ECONNRESET ? .closed : .failed(errno)
            }
            offset += written
        }
    }

    /// Reads one frame; with a deadline, waits no longer than it.
    static func read(from fd: Int32, deadline: ContinuousClock.Instant?) throws(IOError) -> (Kind, [UInt8]) {
        let header = try readExactly(5, from: fd, deadline: deadline)
        let length = Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
        guard length >= 1, length <= maxLength else { throw .malformed("a frame of \(length) bytes") }
        guard let kind = Kind(rawValue: header[4]) else { throw .malformed("an unknown frame kind \(header[4])") }
        return (kind, try readExactly(length - 1, from: fd, deadline: deadline))
    }

    private static func readExactly(_ count: Int, from fd: Int32, deadline: ContinuousClock.Instant?) throws(IOError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            if let deadline {
                let remaining = ContinuousClock.now.duration(to: deadline)
                guard remaining > .zero else { throw .timedOut }
                let milliseconds = Int32(
                    clamping: remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000 + 1)
                var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let ready = poll(&descriptor, 1, milliseconds)
                if ready < 0, errno != EINTR { throw .failed(errno) }
                if ready <= 0 { continue }
            }
            let got = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + offset, count - offset) }
            if got < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw errno == ECONNRESET ? .closed : .failed(errno)
            }
            if got == 0 { throw .closed }
            offset += got
        }
        return buffer
    }
}

/// One badge to render, as the parent resolved it: the fields (computed in the agent, so the
/// child needs neither the event nor the attendee), the template candidates of the set current
/// when the job started, and what the label is encoded for.
struct RenderRequest: Codable, Sendable {
    struct Candidate: Codable, Sendable {
        var tier: TemplateTier
        var source: TemplateSource
    }

    /// For the child's log lines and the test-only fault; never a name.
    var attendeeID: String
    var fields: [String: String]
    var candidates: [Candidate]
    var profile: PrinterProfile
    var language: PrinterLanguage
    var overrides: JobOverrides
    /// The printer's stored render options (its QR module floor).
    var options: RenderOptions
}

/// One badge as a PDF/A-2b document for an office printer (docs/handover.md): the fields and
/// candidates as for a label, and the resolution its codes are placed at.
struct DocumentRequest: Codable, Sendable {
    var attendeeID: String
    var fields: [String: String]
    var dpi: Int
    var candidates: [RenderRequest.Candidate]
}

/// What precedes the PDF in a `document` frame.
struct RenderedDocumentHeader: Codable, Sendable {
    var index: Int
    var template: String
}

extension RenderFrame {
    /// A body of a 4-byte header length, a JSON header, then raw bytes.
    static func headed(_ header: some Encodable, _ tail: [UInt8]...) -> [UInt8] {
        let encoded = Array((try? JSONEncoder().encode(header)) ?? Data())
        var body: [UInt8] = [
            UInt8(encoded.count >> 24 & 0xFF), UInt8(encoded.count >> 16 & 0xFF), UInt8(encoded.count >> 8 & 0xFF),
            UInt8(encoded.count & 0xFF),
        ]
        body.reserveCapacity(4 + encoded.count + tail.reduce(0) { $0 + $1.count })
        body += encoded
        for part in tail { body += part }
        return body
    }

    /// The header of a `headed` body and where the raw bytes start; nil when it does not read.
    static func header<Header: Decodable>(_ type: Header.Type, in bytes: [UInt8]) -> (Header, Int)? {
        guard bytes.count >= 4 else { return nil }
        let length = Int(bytes[0]) << 24 | Int(bytes[1]) << 16 | Int(bytes[2]) << 8 | Int(bytes[3])
        guard length <= bytes.count - 4, let header = try? JSONDecoder().decode(Header.self, from: Data(bytes[4..<(4 + length)])) else {
            return nil
        }
        return (header, 4 + length)
    }
}

/// What precedes the raster and the label in a `rendered` frame.
struct RenderedHeader: Codable, Sendable {
    var index: Int
    var templateName: String
    var templateVersion: String
    var renderSeconds: Double
    var width: Int
    var height: Int
    var bitmapBytes: Int
    var labelLanguage: PrinterLanguage
    var settings: JobSettings
    var warnings: [SettingsWarning]
    var labelBytes: Int
}

/// Why each tier failed, as `ComposeFailure` has it.
struct RenderFailureReasons: Codable, Sendable {
    struct Reason: Codable, Sendable {
        var tier: TemplateTier
        var template: String
        var reason: String
    }

    var reasons: [Reason]

    init(_ failure: ComposeFailure) {
        reasons = failure.reasons.map { Reason(tier: $0.tier, template: $0.template, reason: $0.reason) }
    }

    var failure: ComposeFailure { ComposeFailure(reasons: reasons.map { ($0.tier, $0.template, $0.reason) }) }
}
