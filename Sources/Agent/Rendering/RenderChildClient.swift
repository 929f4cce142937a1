public import Foundation
import Glibc
import Logging
import Printers
import Raster
import Store

/// How the agent starts a render child: the `lanyard` executable with its hidden `render-child`
/// subcommand. Given to the runtime (`AgentResources.renderChild`) because only the command line
/// knows which executable it is; a test gives the one built beside it.
public struct RenderChildLaunch: Sendable, Equatable {
    public var executable: URL
    public var arguments: [String]
    /// Added to the agent's own environment for the child.
    public var environment: [String: String]

    public init(executable: URL, arguments: [String] = ["render-child"], environment: [String: String] = [:]) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
    }
}

/// The agent's end of one render child: a process of its own that renders and encodes a printer's
/// badges, so that a render stuck inside a C call (Pango shaping, cairo) can be ended (SIGKILL)
/// and the printer goes on with the next badge. One per printer worker, so a stuck badge holds up
/// only its own printer, and each child renders for one printer profile.
///
/// Started at the first badge, not with the agent, and stopped after `render_child_idle_seconds`
/// without one: an idle kiosk keeps no second process with fonts loaded. Each stage has its own
/// limit; the child says when rendering ends and encoding begins (a tier that rendered). A
/// child that dies or answers garbage is replaced and the badge tried once more on the new one:
/// a child killed from outside (the OOM killer, an operator) is not the badge's fault, while a
/// badge that breaks two children in a row is dead-lettered rather than crash-looping the printer.
///
/// Blocking: it waits on the child with `poll`, on the printer worker's own thread, as rendering
/// in process did. Not thread-safe: one worker owns it.
final class RenderChildClient {
    struct Limits: Sendable {
        var render: Double
        var encode: Double
        var idle: Duration
    }

    private struct Child {
        var pid: pid_t
        var socket: Int32
    }

    private enum Exchange {
        case badge(ComposedBadge)
        case failure(RenderFailure)
        /// The child died or answered garbage: worth one more try on a new child.
        case childLost(String)
    }

    let launch: RenderChildLaunch
    let limits: Limits
    let metrics: AgentMetrics
    let logger: Logger
    private var child: Child?
    private var lastUsed = ContinuousClock.now

    init(launch: RenderChildLaunch, limits: Limits, metrics: AgentMetrics, logger: Logger) {
        self.launch = launch
        self.limits = limits
        self.metrics = metrics
        self.logger = logger
    }

    deinit { stop() }

    /// The child's process id while one runs (what the tests kill from outside).
    var pid: pid_t? { child?.pid }

    /// Renders and encodes one badge in the child. `onAttempt` hears each tier tried (index in the
    /// request's candidates, whether it rendered) once the badge's outcome is known, so a child
    /// lost half-way does not count a tier twice; a tier that hung counts as one that failed.
    func compose(_ request: RenderRequest, onAttempt: (Int, Bool) -> Void) throws(RenderFailure) -> ComposedBadge {
        var lastReason = ""
        for attempt in 1...2 {
            defer { lastUsed = .now }
            var attempts: [(Int, Bool)] = []
            let cold = child == nil
            let start = ContinuousClock.now
            let exchange = self.exchange(request, attempts: &attempts)
            switch exchange {
            case .badge(let badge):
                for (index, rendered) in attempts { onAttempt(index, rendered) }
                // What the process boundary costs (docs/benchmarks.md): the exchange beside the
                // child's own render and encode, and whether it started the child.
                let elapsed = start.duration(to: .now)
                logger.debug(
                    "badge from the render child",
                    metadata: [
                        "exchange_us": "\(elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000)",
                        "render_us": "\(Int(badge.renderSeconds * 1e6))", "cold": "\(cold)",
                    ])
                return badge
            case .failure(let failure):
                for (index, rendered) in attempts { onAttempt(index, rendered) }
                throw failure
            case .childLost(let reason):
                lastReason = reason
                metrics.recordRenderChildFailure()
                logger.warning(
                    "render child lost; \(attempt == 1 ? "trying the badge once more on a new one" : "giving the badge up")",
                    metadata: ["attendee_id": "\(request.attendeeID)", "reason": "\(reason)"])
                stop()
            }
        }
        throw .childFailed(lastReason)
    }

    /// Renders one badge as a PDF/A-2b document in the child, under the render limit; a child
    /// lost half-way is replaced and the badge tried once more, as for a label.
    func document(_ request: DocumentRequest) throws(RenderFailure) -> (bytes: [UInt8], template: String) {
        var lastReason = ""
        for attempt in 1...2 {
            defer { lastUsed = .now }
            switch documentExchange(request) {
            case .success(let document): return document
            case .failure(.childFailed(let reason)):
                lastReason = reason
                metrics.recordRenderChildFailure()
                logger.warning(
                    "render child lost; \(attempt == 1 ? "trying the document once more on a new one" : "giving it up")",
                    metadata: ["attendee_id": "\(request.attendeeID)", "reason": "\(reason)"])
                stop()
            case .failure(let failure): throw failure
            }
        }
        throw .childFailed(lastReason)
    }

    /// `.childFailed` here means the child was lost (worth one more try); the others are final.
    private func documentExchange(_ request: DocumentRequest) -> Result<(bytes: [UInt8], template: String), RenderFailure> {
        guard let body = try? JSONEncoder().encode(request) else { return .failure(.tiers(ComposeFailure(reasons: []))) }
        let running: Child
        switch ensureChild() {
        case .running(let started): running = started
        case .failed(let reason): return .failure(.childFailed(reason))
        }
        do { try RenderFrame.write(.documentRequest, Array(body), to: running.socket) } catch {
            return .failure(.childFailed("the child did not take the request: \(error)"))
        }
        let frame: (RenderFrame.Kind, [UInt8])
        do {
            frame = try RenderFrame.read(from: running.socket, deadline: .now + LimitSettings.duration(limits.render))
        } catch {
            guard error == .timedOut else { return .failure(.childFailed("\(error)")) }
            kill(running.pid, SIGKILL)
            stop()
            metrics.recordExecutionTimeout(stage: .render)
            return .failure(.timedOut(stage: .render, limitSeconds: limits.render))
        }
        switch frame {
        case (.document, let bytes):
            guard let (header, start) = RenderFrame.header(RenderedDocumentHeader.self, in: bytes), header.index < request.candidates.count
            else { return .failure(.childFailed("an unreadable document")) }
            return .success((Array(bytes[start...]), header.template))
        case (.failed, let bytes):
            guard let reasons = try? JSONDecoder().decode(RenderFailureReasons.self, from: Data(bytes)) else {
                return .failure(.childFailed("an unreadable failure"))
            }
            return .failure(.tiers(reasons.failure))
        default:
            return .failure(.childFailed("an unexpected \(frame.0) frame"))
        }
    }

    /// Stops the child when no badge has used it for the idle limit.
    func retireIfIdle(now: ContinuousClock.Instant = .now) {
        guard child != nil, lastUsed.duration(to: now) >= limits.idle else { return }
        logger.info("render child stopped after being idle", metadata: ["idle_seconds": "\(limits.idle.components.seconds)"])
        stop()
    }

    /// Ends the child: its socket closed, which it takes as the end (it exits at once), then
    /// SIGKILL if it has not gone within a second (it was stuck), and reaped either way.
    func stop() {
        guard let running = child else { return }
        child = nil
        close(running.socket)
        for _ in 0..<100 {
            if reap(running.pid, waiting: false) { return }
            usleep(10_000)
        }
        kill(running.pid, SIGKILL)
        _ = reap(running.pid, waiting: true)
    }

    // MARK: - One exchange

    private func exchange(_ request: RenderRequest, attempts: inout [(Int, Bool)]) -> Exchange {
        let body: [UInt8]
        do { body = Array(try JSONEncoder().encode(request)) } catch {
            return .failure(.childFailed("the request cannot be encoded: \(error)"))
        }
        let running: Child
        switch ensureChild() {
        case .running(let started): running = started
        case .failed(let reason): return .childLost(reason)
        }
        do { try RenderFrame.write(.request, body, to: running.socket) } catch {
            return .childLost("the child did not take the request: \(error)")
        }
        // The render budget covers every tier tried; encoding has its own, from when a tier rendered.
        var stage = PipelineStage.render
        var stageStarted = ContinuousClock.now
        var renderSpent = Duration.zero
        var current = 0
        while true {
            let deadline =
                stage == .render
                ? stageStarted + LimitSettings.duration(limits.render) - renderSpent
                : stageStarted + LimitSettings.duration(limits.encode)
            let frame: (RenderFrame.Kind, [UInt8])
            do { frame = try RenderFrame.read(from: running.socket, deadline: deadline) } catch {
                guard error == .timedOut else { return .childLost("\(error)") }
                kill(running.pid, SIGKILL)
                stop()
                // A tier stuck rendering is a tier that failed, for the automatic rollback.
                if stage == .render, current < request.candidates.count { attempts.append((current, false)) }
                metrics.recordExecutionTimeout(stage: stage)
                return .failure(.timedOut(stage: stage, limitSeconds: stage == .render ? limits.render : limits.encode))
            }
            switch frame {
            case (.attempt, let bytes) where bytes.count == 3:
                let index = Int(bytes[0]) << 8 | Int(bytes[1])
                let rendered = bytes[2] == 1
                guard index < request.candidates.count else { return .childLost("an attempt at candidate \(index)") }
                attempts.append((index, rendered))
                let now = ContinuousClock.now
                if rendered {
                    renderSpent += stageStarted.duration(to: now)
                    stage = .encode
                } else {
                    if stage == .render { renderSpent += stageStarted.duration(to: now) }
                    stage = .render
                    current = index + 1
                }
                stageStarted = now
            case (.rendered, let bytes):
                return decodeBadge(bytes, request: request)
            case (.failed, let bytes):
                guard let reasons = try? JSONDecoder().decode(RenderFailureReasons.self, from: Data(bytes)) else {
                    return .childLost("an unreadable failure")
                }
                return .failure(.tiers(reasons.failure))
            default:
                return .childLost("an unexpected \(frame.0) frame")
            }
        }
    }

    private func decodeBadge(_ bytes: [UInt8], request: RenderRequest) -> Exchange {
        guard let (header, rasterStart) = RenderFrame.header(RenderedHeader.self, in: bytes),
            header.index < request.candidates.count, header.bitmapBytes >= 0, header.labelBytes >= 0,
            rasterStart + header.bitmapBytes + header.labelBytes == bytes.count
        else { return .childLost("an unreadable badge") }
        let labelStart = rasterStart + header.bitmapBytes
        let bitmap: Bitmap
        do {
            bitmap = try Bitmap(width: header.width, height: header.height, packedRows: Array(bytes[rasterStart..<labelStart]))
        } catch { return .childLost("a raster that does not fit its size: \(error)") }
        let candidate = request.candidates[header.index]
        return .badge(
            ComposedBadge(
                bitmap: bitmap,
                label: EncodedLabel(
                    language: header.labelLanguage, bytes: Array(bytes[labelStart...]), settings: header.settings,
                    warnings: header.warnings),
                tier: candidate.tier, templateName: header.templateName, templateVersion: header.templateVersion,
                templateRelease: candidate.source.digest, renderSeconds: header.renderSeconds))
    }

    // MARK: - The process

    private enum Start {
        case running(Child)
        case failed(String)
    }

    private func ensureChild() -> Start {
        if let running = child {
            // Gone while idle (killed from outside): not a badge's failure; a new one is started.
            guard reap(running.pid, waiting: false) else { return .running(running) }
            logger.notice("render child had exited while idle; starting a new one", metadata: ["pid": "\(running.pid)"])
            close(running.socket)
            child = nil
        }
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            return .failed("cannot make the child's socket: \(String(cString: strerror(errno)))")
        }
        defer { close(pair[1]) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // The child's standard input and output are its end of the socket (dup2 clears close-on-exec).
        posix_spawn_file_actions_adddup2(&actions, pair[1], 0)
        posix_spawn_file_actions_adddup2(&actions, pair[1], 1)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Signals the agent ignores (SIGPIPE for NIO, SIGTERM and SIGINT for the service
        // lifecycle's signal sources) would stay ignored across exec: the child gets the defaults.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT] { sigaddset(&defaults, signal) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let path = launch.executable.path
        let environment = ProcessInfo.processInfo.environment.merging(launch.environment) { $1 }
        let argv = ([path] + launch.arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard status == 0 else {
            close(pair[0])
            return .failed("cannot start \(path): \(String(cString: strerror(status)))")
        }
        let started = Child(pid: pid, socket: pair[0])
        child = started
        metrics.recordRenderChildStart()
        logger.info("render child started", metadata: ["pid": "\(pid)"])
        return .running(started)
    }

    /// Whether `pid` has ended (and is now reaped).
    private func reap(_ pid: pid_t, waiting: Bool) -> Bool {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, waiting ? 0 : WNOHANG)
            if result == pid { return true }
            if result == 0 { return false }
            if errno == EINTR { continue }
            // ECHILD: already reaped, or never ours.
            return true
        }
    }
}

extension RenderChildClient {
    /// A printer worker's render child, under the configured limits.
    convenience init(_ limits: LimitSettings, _ launch: RenderChildLaunch, _ metrics: AgentMetrics, _ logger: Logger) {
        self.init(
            launch: launch,
            limits: Limits(
                render: limits.renderSeconds, encode: limits.encodeSeconds, idle: LimitSettings.duration(limits.renderChildIdleSeconds)),
            metrics: metrics, logger: logger)
    }
}
