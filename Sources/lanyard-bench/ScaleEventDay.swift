import AsyncHTTPClient
import Attendees
import Foundation
import LanyardSupport
import NIOCore
import NIOHTTP1
import Sync
import Synchronization

/// An event's attendee list in the shape of the project's fixture of raw registrations
/// (`shared/fixtures/registrations.jsonl`, 1,200 records): its records in turn, each copy
/// renumbered (`source_id`, e-mail) and named by the stable id intake would derive, as central
/// operations push them (`POST /v1/events/{event}/attendees`).
struct ScaleAttendees: Sendable {
    let event: String
    /// Attendee ids, in the order pushed.
    let ids: [String]
    /// The registrations as JSON text, by attendee id's position in `ids`.
    let registrations: [String]

    static func generate(fixture: URL, count: Int) throws -> ScaleAttendees {
        let text: String
        do { text = try String(contentsOf: fixture, encoding: .utf8) } catch {
            throw BenchError(.io, "cannot read the registrations \(fixture.path): \(error.localizedDescription)")
        }
        let records = text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
        guard let first = records.first, let event = first["event_slug"] as? String else {
            throw BenchError(.io, "\(fixture.path) has no registration with an event_slug")
        }
        var ids: [String] = []
        var registrations: [String] = []
        for index in 0..<count {
            var record = records[index % records.count]
            let source = record["source"] as? String ?? "ticketing"
            let sourceID = String(format: "REG-%06d", index + 1)
            record["source_id"] = sourceID
            record["event_slug"] = event
            if index >= records.count, let email = record["email"] as? String {
                record["email"] = "\(index)." + email
            }
            let id = StableAttendeeID.derive(source: source, sourceID: sourceID)
            record["attendee_id"] = id
            ids.append(id)
            registrations.append(try Self.json(record))
        }
        return ScaleAttendees(event: event, ids: ids, registrations: registrations)
    }

    /// The whole list as pushes of at most `AttendeePush.maximumChanges`.
    func listPushes(size: Int = 2_000) -> [Data] {
        stride(from: 0, to: registrations.count, by: size).map { start in
            Self.push(registrations[start..<min(start + size, registrations.count)].map { "{\"op\":\"upsert\",\"registration\":\($0)}" })
        }
    }

    /// A day's corrections: `count` changes spread over the list, one in twenty a cancellation
    /// (a removal), the rest a registration edited (job title, company or name corrected), in
    /// pushes of `size` as an integration sends them through the day.
    func editPushes(count: Int, size: Int = 100) throws -> [Data] {
        var changes: [String] = []
        for edit in 0..<count {
            let position = (edit * 7_919) % ids.count
            if edit % 20 == 19 {
                changes.append("{\"op\":\"remove\",\"attendee_id\":\"\(ids[position])\"}")
                continue
            }
            guard var record = (try? JSONSerialization.jsonObject(with: Data(registrations[position].utf8))) as? [String: Any] else {
                throw BenchError(.internal, "a generated registration does not parse")
            }
            switch edit % 3 {
            case 0: record["job_title"] = "Engineering Manager"
            case 1: record["company"] = "Example Corporation \(edit)"
            default: record["first_name"] = (record["first_name"] as? String ?? "Alex") + "-Marie"
            }
            changes.append("{\"op\":\"upsert\",\"registration\":\(try Self.json(record))}")
        }
        return stride(from: 0, to: changes.count, by: size).map { Self.push(Array(changes[$0..<min($0 + size, changes.count)])) }
    }

    private static func push(_ changes: [String]) -> Data {
        Data(("{\"changes\":[" + changes.joined(separator: ",") + "]}").utf8)
    }

    private static func json(_ record: [String: Any]) throws -> String {
        do { return String(decoding: try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]), as: UTF8.self) } catch {
            throw BenchError(.internal, "a generated registration does not encode: \(error)")
        }
    }
}

/// What a day at the doors uploads: every attendee scanned once, about 15 % of them again at
/// another door, and a badge printed for each; every kiosk's share in the batches its outbox
/// would send (a few scans at a time).
struct ScaleDayUploads {
    /// Per kiosk, its batches.
    var checkIns: [[[CheckInUpload]]]
    var printResults: [[[PrintResultUpload]]]

    /// Per kiosk, its batches of check-ins and of print results, scans spread over 08:00 to
    /// 18:00 of today.
    static func make(attendees: ScaleAttendees, kiosks: [String], repeatShare: Double = 0.15, batchSize: Int = 4) -> ScaleDayUploads {
        let opening = Calendar(identifier: .gregorian).startOfDay(for: Date()).addingTimeInterval(8 * 3600)
        let count = attendees.ids.count
        var scans = [[CheckInUpload]](repeating: [], count: kiosks.count)
        var prints = [[PrintResultUpload]](repeating: [], count: kiosks.count)
        var generator = SplitMix64(seed: 17)
        for (position, id) in attendees.ids.enumerated() {
            let kiosk = Int(generator.next() % UInt64(kiosks.count))
            let scannedAt = opening.addingTimeInterval(Double(position) / Double(count) * 10 * 3600)
            scans[kiosk].append(
                CheckInUpload(
                    nonce: UUID().uuidString.lowercased(), attendeeID: id, event: attendees.event, kioskID: kiosks[kiosk],
                    scannedAt: scannedAt))
            prints[kiosk].append(
                PrintResultUpload(
                    nonce: UUID().uuidString.lowercased(), jobID: String(prints[kiosk].count + 1), attendeeID: id,
                    state: position % 50 == 49 ? .deadLetter : .printed, template: "standard", templateVersion: "standard@round-0",
                    tier: "global", finishedAt: scannedAt.addingTimeInterval(4)))
        }
        for _ in 0..<Int((Double(count) * repeatShare).rounded()) {
            let position = Int(generator.next() % UInt64(count))
            let kiosk = Int(generator.next() % UInt64(kiosks.count))
            let scannedAt = opening.addingTimeInterval(Double(position) / Double(count) * 10 * 3600 + 1_800)
            scans[kiosk].append(
                CheckInUpload(
                    nonce: UUID().uuidString.lowercased(), attendeeID: attendees.ids[position], event: attendees.event,
                    kioskID: kiosks[kiosk], scannedAt: scannedAt))
        }
        return ScaleDayUploads(
            checkIns: scans.map { Self.batches($0.sorted { $0.scannedAt < $1.scannedAt }, size: batchSize) },
            printResults: prints.map { Self.batches($0, size: batchSize) })
    }

    var checkInCount: Int { checkIns.joined().reduce(0) { $0 + $1.count } }
    var printResultCount: Int { printResults.joined().reduce(0) { $0 + $1.count } }

    private static func batches<T>(_ items: [T], size: Int) -> [[T]] {
        stride(from: 0, to: items.count, by: size).map { Array(items[$0..<min($0 + size, items.count)]) }
    }
}

/// The sustained check-in load: each kiosk sends batches of 2 to 6 scans back to back, each
/// scan a new nonce, about 15 % of them an attendee another door scanned a moment ago.
final class CheckInStorm: Sendable {
    private struct State {
        var latencies: [Double] = []
        var accepted = 0
        var duplicates = 0
        var batches = 0
        var failures = 0
        var messages: [String] = []
        /// The attendees scanned last, for the second doors.
        var recent: [String] = []
        var recentNext = 0
    }

    let attendees: ScaleAttendees
    private let state = Mutex(State())

    init(attendees: ScaleAttendees) {
        self.attendees = attendees
    }

    /// Uploads from one kiosk until `deadline`.
    func run(kiosk: String, uplink: KioskUplink, seed: UInt64, until deadline: ContinuousClock.Instant) async {
        var generator = SplitMix64(seed: seed)
        while ContinuousClock.now < deadline, !Task.isCancelled {
            let size = 2 + Int(generator.next() % 5)
            var items: [CheckInUpload] = []
            for _ in 0..<size {
                let again = generator.next() % 100 < 15
                let id = again ? secondDoor(generator.next()) : nil
                let attendee = id ?? attendees.ids[Int(generator.next() % UInt64(attendees.ids.count))]
                items.append(
                    CheckInUpload(
                        nonce: UUID().uuidString.lowercased(), attendeeID: attendee, event: attendees.event, kioskID: kiosk,
                        scannedAt: Date()))
                if !again { scanned(attendee) }
            }
            let start = ContinuousClock.now
            do {
                let answer = try await uplink.checkIns(items)
                let milliseconds = (ContinuousClock.now - start).milliseconds
                state.withLock { state in
                    state.latencies.append(milliseconds)
                    state.accepted += answer.accepted
                    state.duplicates += answer.duplicates
                    state.batches += 1
                }
            } catch {
                guard !Task.isCancelled else { return }
                state.withLock { state in
                    state.failures += 1
                    if state.messages.count < 5, !state.messages.contains(error.description) { state.messages.append(error.description) }
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    private func scanned(_ attendee: String) {
        state.withLock { state in
            if state.recent.count < 1_024 {
                state.recent.append(attendee)
            } else {
                state.recent[state.recentNext] = attendee
                state.recentNext = (state.recentNext + 1) % state.recent.count
            }
        }
    }

    private func secondDoor(_ random: UInt64) -> String? {
        state.withLock { $0.recent.isEmpty ? nil : $0.recent[Int(random % UInt64($0.recent.count))] }
    }

    var summary: (accepted: Int, duplicates: Int, batches: Int, failures: Int, latencies: [Double], messages: [String]) {
        state.withLock { ($0.accepted, $0.duplicates, $0.batches, $0.failures, $0.latencies, $0.messages) }
    }
}

/// A small deterministic generator, so that two runs scan the same attendees in the same order.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

/// Central operations' push of attendee changes, with the admin token.
struct AttendeePusher {
    let serverURL: String
    let event: String
    let token: String
    let client: HTTPClient

    func push(_ body: Data) async throws {
        var request = HTTPClientRequest(url: "\(serverURL)/v1/events/\(event)/attendees")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client.execute(request, timeout: .seconds(120))
        let answer = try await response.body.collect(upTo: 1 << 20)
        guard response.status.code == 200 else {
            throw BenchError(.internal, "the attendee push answered HTTP \(response.status.code): \(String(buffer: answer).prefix(300))")
        }
    }
}
