import Foundation
import LanyardSupport
import Store
import Testing

@Suite struct DeadLetterAndOutboxTests {
    @Test func deadLettersKeepTheRawInputAndReplayOnce() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        let raw = Data([0x7B, 0x22, 0xFF, 0x00, 0x0A])  // not even UTF-8: kept byte for byte
        let letter = try store.deadLetter(
            payload: raw, stage: .intake, code: "intake.field_invalid",
            reason: "email has no domain", fieldPath: "attendees[3].email",
            correlationID: "c-1", now: .start)
        #expect(letter.payload == raw && letter.stage == .intake && letter.fieldPath == "attendees[3].email")
        #expect(letter.createdAt == .start && letter.replayedAt == nil && letter.jobID == nil)
        let second = try store.deadLetter(
            payload: Data("x".utf8), stage: .print, code: "printers.paper_out",
            reason: "out of labels", correlationID: "c-2", now: .start.plus(1))
        #expect(try store.deadLetters(limit: 10).map(\.id) == [second.id, letter.id], "newest first")
        #expect(try store.deadLetters(limit: 1).map(\.id) == [second.id])

        #expect(try store.markReplayed(id: letter.id, now: .start.plus(60)) == raw)
        #expect(try store.deadLetters(limit: 10).map(\.id) == [second.id], "replayed letters are history")
        let all = try store.deadLetters(limit: 10, includeReplayed: true)
        #expect(all.map(\.id) == [second.id, letter.id] && all[1].replayedAt == .start.plus(60))
        let refused = expectStoreError(.alreadyReplayed) { () throws(StoreError) in
            try store.markReplayed(id: letter.id, now: .start.plus(61))
        }
        #expect(refused?.message.contains(String(letter.id)) == true)
        #expect(try store.deadLetter(id: letter.id)?.replayedAt == .start.plus(60), "the first replay stands")
        expectStoreError(.notFound) { () throws(StoreError) in try store.markReplayed(id: 999) }
        expectStoreError(.invalidValue) { () throws(StoreError) in
            try store.deadLetter(payload: raw, stage: .intake, code: "", reason: "r", correlationID: "c")
        }
    }

    @Test func aDeadLetterSerialisesWithISO8601Instants() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        let letter = try store.deadLetter(
            payload: Data("{}".utf8), stage: .render, code: "badges.font_missing",
            reason: "no font for Thai", correlationID: "c-9",
            now: Date(timeIntervalSince1970: 1_790_000_000.25))
        // Whatever the encoder's own date strategy, the instants are ISO-8601 text.
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        let json = try #require(try JSONSerialization.jsonObject(with: encoder.encode(letter)) as? [String: Any])
        #expect(json["created_at"] as? String == "2026-09-21T14:13:20.250Z")
        #expect(json["replayed_at"] == nil && json["field_path"] == nil)
        #expect(json["stage"] as? String == "render" && json["correlation_id"] as? String == "c-9")
        #expect(try JSONDecoder().decode(DeadLetter.self, from: encoder.encode(letter)) == letter)
        _ = try store.markReplayed(id: letter.id, now: .start)
        let replayed = try #require(try store.deadLetter(id: letter.id))
        let again = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(replayed)) as? [String: Any])
        #expect(again["replayed_at"] as? String == "2026-09-21T14:13:20.000Z")
    }

    @Test func theOutboxHandsOutPendingItemsInOrderUntilDelivered() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        var appended: [OutboxItem] = []
        for index in 0..<5 {
            appended.append(
                try store.appendOutbox(kind: "check_in", payload: Data("{\"n\":\(index)}".utf8), now: .start.plus(Double(index))))
        }
        #expect(Set(appended.map(\.nonce)).count == 5, "a fresh nonce per item")
        #expect(appended.allSatisfy { $0.nonce.count >= 32 })
        #expect(try store.pendingOutbox(limit: 3) == Array(appended.prefix(3)))

        #expect(try store.markOutboxDelivered(ids: [appended[0].id, appended[2].id], now: .start.plus(10)) == 2)
        #expect(try store.pendingOutbox(limit: 10).map(\.id) == [appended[1].id, appended[3].id, appended[4].id])
        // A repeated acknowledgement, or one for unknown ids, changes nothing.
        #expect(try store.markOutboxDelivered(ids: [appended[0].id, 12345], now: .start.plus(11)) == 0)
        #expect(try store.markOutboxDelivered(ids: []) == 0)
        #expect(try store.pendingOutbox(limit: 10).count == 3)
        // Pending items survive a restart with their nonces, so a re-sent batch is recognisable.
        let reopened = try database.open()
        #expect(try reopened.pendingOutbox(limit: 10) == Array(appended[1...].filter { $0.id != appended[2].id }))
        expectStoreError(.invalidValue) { () throws(StoreError) in try store.appendOutbox(kind: "", payload: Data()) }
    }

    @Test func webhookDeliveriesAreAcceptedOnceUntilPruned() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        #expect(try store.recordDelivery(source: "tito", deliveryID: "d-1", at: .start))
        #expect(try !store.recordDelivery(source: "tito", deliveryID: "d-1", at: .start.plus(5)), "a replay is refused")
        #expect(try store.recordDelivery(source: "eventbrite", deliveryID: "d-1", at: .start), "ids are per source")
        #expect(try store.recordDelivery(source: "tito", deliveryID: "d-2", at: .start.plus(3600)))

        // Older than an hour at +3601: only the two deliveries at +0 go.
        #expect(try store.pruneDeliveries(olderThan: 3600, now: .start.plus(3601)) == 2)
        #expect(try !store.recordDelivery(source: "tito", deliveryID: "d-2", at: .start.plus(3602)))
        #expect(try store.recordDelivery(source: "tito", deliveryID: "d-1", at: .start.plus(3603)), "forgotten after pruning")
        expectStoreError(.invalidValue) { () throws(StoreError) in try store.recordDelivery(source: "", deliveryID: "x") }
        expectStoreError(.invalidValue) { () throws(StoreError) in try store.pruneDeliveries(olderThan: -1) }
    }
}
