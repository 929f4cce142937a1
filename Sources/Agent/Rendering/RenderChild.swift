import Foundation
import Glibc
import LanyardSupport
import Logging
import Printers
import Raster

/// The render child's side (`lanyard render-child`, started by `RenderChildClient`, never by
/// hand): requests on standard input, answers on standard output, both one socket to the agent.
/// It renders with the agent's own code (`TieredRenderer`), so a badge is the same raster
/// either way, and keeps renderers per bundle directory as the agent did. It exits when the agent
/// closes the socket or goes away, even in the middle of a render that does not return.
public enum RenderChild {
    public static func run() -> Never {
        // The protocol gets its own descriptor and standard output becomes standard error: a
        // library that prints cannot garble a frame.
        let input: Int32 = 0
        let output = dup(1)
        dup2(2, 1)
        watchForTheAgentLeaving(input)
        let logger = Logger(label: "lanyard.render-child") { label in
            var handler = JSONLogHandler(label: label)
            handler.logLevel = .warning
            return handler
        }
        var renderers: [String: TieredRenderer] = [:]
        var documents: TieredDocuments?
        while true {
            let frame: (RenderFrame.Kind, [UInt8])
            do { frame = try RenderFrame.read(from: input, deadline: nil) } catch {
                // The agent closed its end (idle, stopping), or the stream is garbled: either way
                // there is nobody to answer.
                exit(error == .closed ? 0 : 1)
            }
            if frame.0 == .documentRequest, let request = try? JSONDecoder().decode(DocumentRequest.self, from: Data(frame.1)) {
                let renderer = documents.flatMap { $0.dpi == request.dpi ? $0 : nil } ?? TieredDocuments(dpi: request.dpi, logger: logger)
                documents = renderer
                do { try answer(request, renderer: renderer, output: output) } catch { exit(0) }
                continue
            }
            guard frame.0 == .request, let request = try? JSONDecoder().decode(RenderRequest.self, from: Data(frame.1)) else {
                logger.error("render child: unreadable request; exiting")
                exit(1)
            }
            let key = "\(request.profile.id)/\(request.language.rawValue)"
            let renderer = renderers[key] ?? TieredRenderer(profile: request.profile, language: request.language, logger: logger)
            renderers[key] = renderer
            do {
                try answer(request, renderer: renderer, output: output)
            } catch {
                exit(0)
            }
        }
    }

    private static func answer(_ request: RenderRequest, renderer: TieredRenderer, output: Int32) throws(RenderFrame.IOError) {
        var lost: RenderFrame.IOError?
        var winner = 0
        let outcome = Result { () throws(ComposeFailure) -> ComposedBadge in
            try renderer.compose(
                fields: request.fields, candidates: request.candidates.map { ($0.tier, $0.source) }, overrides: request.overrides,
                options: request.options
            ) { progress in
                switch progress {
                case .rendering:
                    #if DEBUG
                    RenderFault.current?.apply(attendeeID: request.attendeeID)
                    #endif
                case .attempt(let index, let rendered):
                    if rendered { winner = index }
                    do throws(RenderFrame.IOError) {
                        try RenderFrame.write(.attempt, [UInt8(index >> 8 & 0xFF), UInt8(index & 0xFF), rendered ? 1 : 0], to: output)
                    } catch { lost = error }
                }
            }
        }
        if let lost { throw lost }
        switch outcome {
        case .success(let badge):
            let header = RenderedHeader(
                index: winner, templateName: badge.templateName,
                templateVersion: badge.templateVersion, renderSeconds: badge.renderSeconds, width: badge.bitmap.width,
                height: badge.bitmap.height, bitmapBytes: badge.bitmap.bytes.count, labelLanguage: badge.label.language,
                settings: badge.label.settings, warnings: badge.label.warnings, labelBytes: badge.label.bytes.count)
            try RenderFrame.write(.rendered, RenderFrame.headed(header, badge.bitmap.bytes, badge.label.bytes), to: output)
        case .failure(let failure):
            try RenderFrame.write(.failed, Array((try? JSONEncoder().encode(RenderFailureReasons(failure))) ?? Data()), to: output)
        }
    }

    /// A badge as a document: the PDF, or why every tier failed.
    private static func answer(_ request: DocumentRequest, renderer: TieredDocuments, output: Int32) throws(RenderFrame.IOError) {
        let outcome = Result { () throws(ComposeFailure) in
            try renderer.document(fields: request.fields, candidates: request.candidates.map { ($0.tier, $0.source) }) { _ in
                #if DEBUG
                RenderFault.current?.apply(attendeeID: request.attendeeID)
                #endif
            }
        }
        switch outcome {
        case .success(let document):
            let header = RenderedDocumentHeader(index: document.index, template: document.template)
            try RenderFrame.write(.document, RenderFrame.headed(header, document.bytes), to: output)
        case .failure(let failure):
            try RenderFrame.write(.failed, Array((try? JSONEncoder().encode(RenderFailureReasons(failure))) ?? Data()), to: output)
        }
    }

    /// A render stuck in a C call never returns to read the socket; this thread waits only for
    /// the agent's end to close (the agent killed, crashed or stopping) and ends the process.
    private static func watchForTheAgentLeaving(_ socket: Int32) {
        Thread.detachNewThread {
            // POLLRDHUP (0x2000, Linux): the peer closed its end; Glibc's module does not export the name.
            var descriptor = pollfd(fd: socket, events: 0x2000, revents: 0)
            while true {
                let ready = poll(&descriptor, 1, -1)
                if ready > 0 { _exit(0) }
                if ready < 0, errno != EINTR { return }
            }
        }
    }
}

#if DEBUG
/// Test-only fault injection, compiled into debug builds only: `LANYARD_FAULT_RENDER_HANG=ID`
/// makes the render child block inside the render of attendee ID's badge, forever, or with
/// `ID@FILE` while FILE exists, if it exists (the child writes its process id into FILE first,
/// so a test knows whom to kill). Release builds read no such variable.
struct RenderFault {
    var attendeeID: String
    var file: String?

    static let current: RenderFault? = {
        guard let value = ProcessInfo.processInfo.environment["LANYARD_FAULT_RENDER_HANG"], !value.isEmpty else { return nil }
        let parts = value.split(separator: "@", maxSplits: 1).map(String.init)
        return RenderFault(attendeeID: parts[0], file: parts.count > 1 ? parts[1] : nil)
    }()

    func apply(attendeeID id: String) {
        guard id == attendeeID else { return }
        if let file {
            // Written only into a file that exists: once the test removed it, nothing hangs.
            guard let handle = FileHandle(forWritingAtPath: file) else { return }
            handle.write(Data("\(getpid())".utf8))
            try? handle.close()
        }
        while file.map({ FileManager.default.fileExists(atPath: $0) }) ?? true {
            usleep(20_000)
        }
    }
}
#endif
