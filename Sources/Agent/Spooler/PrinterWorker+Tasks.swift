public import Attendees
public import BadgePipeline
import Badges
public import Foundation
import LanyardSupport
import Logging
public import Printers

/// Work a technician asks of a printer. The worker that owns the printer's connection does it
/// between badges, so that a configuration label or a ladder never lands in the middle of an
/// attendee's badge, and every label is made with the same profile, language and tuning.
public enum PrinterTask: Sendable {
    /// A badge for a sample attendee, through the event's templates and the printer's tuning.
    case testBadge(Attendee)
    /// One label per cell of a darkness x speed ladder, each printed at its own settings.
    case ladder([LadderCode], template: URL)
    case configurationLabel
    /// Measures the media (gap, length) after the stored settings are sent.
    case calibrateMedia
    /// Sends the stored tuning now, rather than with the next badge.
    case applyTuning
    /// Asks the printer what it is (`~HI`).
    case identify

    var name: String {
        switch self {
        case .testBadge: "test_badge"
        case .ladder: "ladder"
        case .configurationLabel: "configuration_label"
        case .calibrateMedia: "calibrate_media"
        case .applyTuning: "apply_tuning"
        case .identify: "identify"
        }
    }

    /// Tasks that put a label through the printer need it ready; the rest only need it to listen.
    var printsLabels: Bool {
        switch self {
        case .testBadge, .ladder, .configurationLabel: true
        case .calibrateMedia, .applyTuning, .identify: false
        }
    }
}

/// What a printer task did.
public struct PrinterTaskResult: Sendable, Equatable, Codable {
    public var action: String
    public var labels: Int
    public var bytes: Int
    /// The darkness and speed the printer was sent, after the profile's clamping.
    public var darkness: Int?
    public var speedIPS: Int?
    public var identification: PrinterIdentification?

    enum CodingKeys: String, CodingKey {
        case action, labels, bytes, darkness, identification
        case speedIPS = "speed_ips"
    }
}

struct PendingPrinterTask {
    let id: UInt64
    let task: PrinterTask
    let continuation: CheckedContinuation<PrinterTaskResult, any Error>
}

extension PrinterWorker {
    /// Queues `task` for the moment between two badges and waits for it. A worker that does not
    /// get to it within `limit` (a badge held by a paper-out printer, a long ladder before it)
    /// drops it unstarted: a test label must not come out minutes after the technician gave up.
    public func perform(_ task: PrinterTask, waitingAtMost limit: Duration = .seconds(20)) async throws -> PrinterTaskResult {
        lastTaskID += 1
        let id = lastTaskID
        let expiry = Task { [weak self] in
            try? await Task.sleep(for: limit)
            await self?.expire(id, after: limit)
        }
        defer { expiry.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            pendingTasks.append(PendingPrinterTask(id: id, task: task, continuation: continuation))
            jobQueued.signal()
        }
    }

    private func expire(_ id: UInt64, after limit: Duration) {
        guard let index = pendingTasks.firstIndex(where: { $0.id == id }) else { return }
        let pending = pendingTasks.remove(at: index)
        pending.continuation.resume(
            throwing: AgentError(.printerBusy, "the printer's worker did not get to \(pending.task.name) within \(limit)"))
    }

    func failPendingTasks(because reason: String) {
        let failed = pendingTasks
        pendingTasks = []
        for pending in failed {
            pending.continuation.resume(throwing: AgentError(.printerUnavailable, "the printer cannot be reached", detail: reason))
        }
    }

    func runPendingTasks(on client: PrinterClient, reading: StatusReading) async {
        let tasks = pendingTasks
        pendingTasks = []
        for pending in tasks {
            do {
                pending.continuation.resume(returning: try await run(pending.task, on: client, reading: reading))
            } catch {
                pending.continuation.resume(throwing: error)
            }
        }
    }

    private func run(_ task: PrinterTask, on client: PrinterClient, reading: StatusReading) async throws -> PrinterTaskResult {
        let blocking = reading.status.sortedConditions.filter { $0.blocksPrinting && $0 != .unknown }
        if task.printsLabels, !blocking.isEmpty {
            throw AgentError(
                .printerUnavailable, "the printer is not ready: " + blocking.map(\.rawValue).joined(separator: ", "),
                detail: "printer")
        }
        if case .calibrateMedia = task, reading.status.conditions.contains(.headOpen) {
            throw AgentError(.printerUnavailable, "close the print head before calibrating", detail: "printer")
        }
        let profile = composer.profile
        let language = composer.language
        var result = PrinterTaskResult(action: task.name, labels: 0, bytes: 0)
        var output: [[UInt8]] = []
        switch task {
        case .identify:
            let identification = try await client.identification()
            snapshot.identification = identification
            result.identification = identification
            return result
        case .testBadge(let attendee):
            let badge: ComposedBadge
            let stored = storedTuning()
            do {
                badge = try composer.composeToPrint(attendee, event: event, overrides: stored.overrides, options: stored.renderOptions)
            } catch {
                throw AgentError(.printerUnavailable, "the test badge cannot be rendered: \(error.description)", detail: "template")
            }
            output.append(badge.label.bytes)
            result.darkness = badge.label.settings.darkness
            result.speedIPS = badge.label.settings.speedIPS
        case .ladder(let cells, let template):
            let renderer = try ladder(template: template, dpi: profile.dpi)
            for (number, cell) in cells.enumerated() {
                let fields = [
                    "darkness": "\(cell.darkness)", "speed": "\(cell.speedIPS)", "cell": "\(number + 1)", "cells": "\(cells.count)",
                    "printer": printerID, "code": cell.caption, "payload": cell.payload,
                ]
                let label = try LabelEncoder.encode(
                    bitmap: try renderer.render(fields: fields).bitmap, profile: profile, language: language,
                    overrides: JobOverrides(darkness: cell.darkness, speedIPS: cell.speedIPS))
                output.append(label.bytes)
            }
        case .configurationLabel:
            output.append(PrinterControl.printConfigurationLabel(language: language).bytes)
        case .calibrateMedia, .applyTuning:
            let settings = try PrinterControl.applySettings(
                profile: profile, language: language, labelLengthDots: profile.dpi * 3, overrides: tuning())
            output.append(settings.bytes)
            result.darkness = settings.settings?.darkness
            result.speedIPS = settings.settings?.speedIPS
            if case .calibrateMedia = task {
                output.append(try PrinterControl.calibrateMedia(language: language, mediaTracking: profile.mediaTracking).bytes)
            }
        }
        for bytes in output {
            do { try await client.send(job: bytes, timeout: .seconds(30)) } catch {
                await client.close()
                self.client = nil
                throw AgentError(
                    .printerUnavailable, "the printer stopped taking bytes during \(task.name)", detail: "\(error)")
            }
            result.bytes += bytes.count
        }
        result.labels = task.printsLabels ? output.count : 0
        logger.notice(
            "printer task done", metadata: ["printer": "\(printerID)", "task": "\(task.name)", "bytes": "\(result.bytes)"])
        return result
    }

    private func ladder(template: URL, dpi: Int) throws -> BadgeRenderer {
        if let kept = ladderRenderer, kept.directory == template { return kept.renderer }
        let renderer = try BadgeRenderer(bundle: try TemplateBundle.load(directory: template), dpi: dpi, logger: logger)
        ladderRenderer = (template, renderer)
        return renderer
    }
}
