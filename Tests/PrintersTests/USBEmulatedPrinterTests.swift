import Foundation
import LanyardSupport
import Printers
import Testing

/// The USB transport through real libusb against the emulated printer (see `USBEmulator`).
/// Serialized: the tests share the one emulator and its printers.
@Suite(.serialized, .enabled(if: USBEmulator.enabled, USBEmulator.skipReason))
struct USBEmulatedPrinterTests {
    static let vendorId: UInt16 = 0x0A5F
    static let productId: UInt16 = 0x0179

    /// `count` seeded pseudo-random bytes: a job whose every byte position is checkable.
    static func job(count: Int, seed: UInt64) -> [UInt8] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    static func threeFrames(_ bytes: [UInt8]) -> Bool {
        bytes.filter { $0 == 0x03 }.count >= 3
    }

    @Test func enumerationReportsIdsSerialAndDeviceID() async throws {
        let emulator = try USBEmulator.fresh()
        let printers = try await USBPrinterDiscovery.printers()
        try #require(printers.count == 1)
        let printer = printers[0]
        #expect(printer.vendorId == Self.vendorId)
        #expect(printer.productId == Self.productId)
        #expect(printer.bus == 1)
        #expect(printer.deviceAddress == 2)
        #expect(printer.portNumbers == [1])
        #expect(printer.interfaceNumber == 0)
        #expect(printer.interfaceProtocol == 2)
        #expect(printer.bidirectional)
        #expect(printer.serialNumber == USBEmulator.serials[0])
        #expect(printer.manufacturer == "Zebra Technologies")
        #expect(printer.product == "ZTC ZD621-203dpi ZPL")
        #expect(printer.deviceID == USBEmulator.deviceID)
        #expect(printer.problem == nil)
        #expect(printer.printerAddress == .usb(serial: USBEmulator.serials[0]))

        let profiles = printer.matchingProfiles(in: try ProfileLibrary.load(directory: Fixtures.profilesDirectory))
        #expect(profiles.first?.id == "zebra-zd621d-203")

        // Enumeration claimed the interface only for GET_DEVICE_ID and gave it back.
        let state = try emulator.state()
        #expect(state["claimed"] == "0")
        #expect(state["device_id_requests"] == "1")
    }

    @Test func boundKernelDriverIsDetachedWhileOpenAndReattachedOnClose() async throws {
        let emulator = try USBEmulator.fresh()
        try emulator.command("BIND 0")

        // Listing does not take the interface from usblp: the device ID is missing, and why.
        let listed = try #require(try await USBPrinterDiscovery.printers().first)
        #expect(listed.serialNumber == USBEmulator.serials[0])
        #expect(listed.deviceID == nil)
        #expect(listed.problem?.code == .busy)

        let connection = try await USBPrinterConnection.open(.usb(serial: nil))
        #expect(connection.info.deviceID == USBEmulator.deviceID)
        #expect(connection.info.serialNumber == USBEmulator.serials[0])
        #expect(connection.canRead)
        var state = try emulator.state()
        #expect(state["driver"] == "none")
        #expect(state["claimed"] == "1")
        #expect(state["detaches"] == "1")

        await connection.close()
        state = try emulator.state()
        #expect(state["claimed"] == "0")
        #expect(state["driver"] == "usblp")
        #expect(state["attaches"] == "1")

        // Closing twice is harmless; using a closed connection is an error, not a crash.
        await connection.close()
        await #expect(throws: TransportError.self) { try await connection.write([0x41], timeout: .seconds(1)) }
    }

    @Test func multiChunkJobArrivesByteForByte() async throws {
        let emulator = try USBEmulator.fresh()
        let job = Self.job(count: 200_000, seed: 7)
        let connection = try await USBPrinterConnection.open(.usb(serial: USBEmulator.serials[0]))
        #expect(connection.chunkSize == 16_384)
        try await connection.write(job, timeout: .seconds(10))
        try await connection.write(Array("^XA^XZ".utf8), timeout: .seconds(5))
        await connection.close()
        let received = try emulator.recorded()
        #expect(received.count == job.count + 6)
        #expect(received == job + Array("^XA^XZ".utf8))
    }

    @Test func statusQueryReplyIsReadAcrossTransfers() async throws {
        let emulator = try USBEmulator.fresh()
        let connection = try await USBPrinterConnection.open(.usb(serial: nil))
        try await connection.write(Array("~HS".utf8), timeout: .seconds(5))
        // The emulator answers one frame per bulk IN transfer: the read has to keep going.
        let reply = try await connection.read(timeout: .seconds(5), until: Self.threeFrames)
        #expect(reply == USBEmulator.hostStatusReply)

        #expect(try await connection.portStatus() == 0x18)
        try emulator.command("PORT_STATUS 0 56")
        #expect(try await connection.portStatus() == 0x38)
        #expect(try await connection.deviceID() == USBEmulator.deviceID)
        await connection.close()
        #expect(try emulator.state()["status_queries"] == "1")
    }

    @Test func silentPrinterReadReturnsNothingAfterTheTimeout() async throws {
        let emulator = try USBEmulator.fresh()
        try emulator.command("SILENT 0 1")
        let connection = try await USBPrinterConnection.open(.usb(serial: nil))
        try await connection.write(Array("~HS".utf8), timeout: .seconds(5))
        let reply = try await connection.read(timeout: .milliseconds(300), until: Self.threeFrames)
        #expect(reply.isEmpty)
        #expect(try emulator.state()["status_queries"] == "1")

        // The connection still works after the silence.
        try emulator.command("SILENT 0 0")
        try await connection.write(Array("~HS".utf8), timeout: .seconds(5))
        #expect(try await connection.read(timeout: .seconds(5), until: Self.threeFrames) == USBEmulator.hostStatusReply)
        await connection.close()
    }

    @Test func unplugDuringWriteFailsItAndReplugOpensAgain() async throws {
        let emulator = try USBEmulator.fresh()
        let job = Self.job(count: 200_000, seed: 11)
        let connection = try await USBPrinterConnection.open(.usb(serial: USBEmulator.serials[0]))
        try emulator.command("UNPLUG_AFTER 0 100000")

        let error = await #expect(throws: TransportError.self) { try await connection.write(job, timeout: .seconds(10)) }
        #expect(error?.code == .disconnected)
        let received = try emulator.recorded()
        #expect(received.count == 100_000)
        #expect(received == Array(job.prefix(100_000)))
        #expect(error?.bytesWritten == received.count)
        #expect(try emulator.state()["plugged"] == "0")

        // Further use fails the same way, without waiting for timeouts.
        let again = await #expect(throws: TransportError.self) { try await connection.write([0x41], timeout: .seconds(5)) }
        #expect(again?.code == .disconnected)
        await #expect(throws: TransportError.self) { try await USBPrinterConnection.open(.usb(serial: USBEmulator.serials[0])) }
        await connection.close()

        try emulator.command("PLUG 0")
        let reopened = try await USBPrinterConnection.open(.usb(serial: USBEmulator.serials[0]))
        let label = Array("^XA^FO50,50^A0N,40,40^FDAgain^FS^XZ".utf8)
        try await reopened.write(label, timeout: .seconds(5))
        await reopened.close()
        #expect(try emulator.recorded() == Array(job.prefix(100_000)) + label)
    }

    @Test func hotplugWatchReportsDeparturesAndArrivals() async throws {
        let emulator = try USBEmulator.fresh()
        // A long poll interval: only hotplug notifications can deliver the events in time.
        let events = EventCollector(try await USBPrinterDiscovery.watch(pollInterval: .seconds(600)))
        defer { events.stop() }
        var seen = await events.wait(for: 1)
        try #require(seen.count == 1)
        guard case .arrived(let first) = seen[0] else {
            Issue.record("expected the present printer first, got \(seen[0])")
            return
        }
        #expect(first.serialNumber == USBEmulator.serials[0])
        #expect(first.deviceID == USBEmulator.deviceID)

        try emulator.command("UNPLUG 0")
        seen = await events.wait(for: 2)
        try #require(seen.count == 2)
        #expect(seen[1] == .departed(first))

        try emulator.command("PLUG 0")
        seen = await events.wait(for: 3)
        try #require(seen.count == 3)
        guard case .arrived(let back) = seen[2] else {
            Issue.record("expected the printer to arrive again, got \(seen[2])")
            return
        }
        #expect(back.isSamePrinter(as: first))

        try emulator.command("PLUG 1")
        seen = await events.wait(for: 4)
        try #require(seen.count == 4)
        #expect(seen[3].info.serialNumber == USBEmulator.serials[1])
        #expect(!seen[3].info.isSamePrinter(as: first))
    }

    @Test func addressPicksOnePrinterAmongSeveral() async throws {
        let emulator = try USBEmulator.fresh()
        try emulator.command("PLUG 1")
        let printers = try await USBPrinterDiscovery.printers()
        #expect(printers.map(\.serialNumber) == USBEmulator.serials)

        let ambiguous = await #expect(throws: TransportError.self) { try await USBPrinterConnection.open(.usb(serial: nil)) }
        #expect(ambiguous?.code == .invalidAddress)
        #expect(ambiguous?.message.contains(USBEmulator.serials[1]) == true)

        let unknown = await #expect(throws: TransportError.self) { try await USBPrinterConnection.open(.usb(serial: "NO-SUCH-PRINTER")) }
        #expect(unknown?.code == .notFound)

        let second = try await USBPrinterConnection.open(.usb(serial: USBEmulator.serials[1]))
        #expect(second.info.deviceAddress == 3)
        try await second.write(Array("^XA^XZ".utf8), timeout: .seconds(5))
        await second.close()
        #expect(try emulator.recorded(slot: 1) == Array("^XA^XZ".utf8))
        #expect(try emulator.recorded(slot: 0).isEmpty)
    }

    @Test func nothingPluggedIsNotFound() async throws {
        let emulator = try USBEmulator.fresh()
        try emulator.command("UNPLUG 0")
        #expect(try await USBPrinterDiscovery.printers().isEmpty)
        let error = await #expect(throws: TransportError.self) { try await USBPrinterConnection.open(.usb(serial: nil)) }
        #expect(error?.code == .notFound)
    }
}

extension USBEmulatedPrinterTests {
    @Test func fullPrinterBufferTimesOutWithTheBytesItTook() async throws {
        let emulator = try USBEmulator.fresh()
        let job = Self.job(count: 100_000, seed: 13)
        let connection = try await USBPrinterConnection.open(.usb(serial: nil))
        try emulator.command("BLOCK_AFTER 0 32768")
        let error = await #expect(throws: TransportError.self) { try await connection.write(job, timeout: .milliseconds(300)) }
        #expect(error?.code == .timeout)
        #expect(error?.bytesWritten == 32_768)
        #expect(try emulator.recorded() == Array(job.prefix(32_768)))

        // Once the printer takes data again the caller resumes where the error said it stopped.
        try emulator.command("UNBLOCK 0")
        try await connection.write(Array(job[32_768...]), timeout: .seconds(10))
        await connection.close()
        #expect(try emulator.recorded() == job)
    }

    @Test func droppedConnectionGivesTheInterfaceBack() async throws {
        let emulator = try USBEmulator.fresh()
        try emulator.command("BIND 0")
        var connection: USBPrinterConnection? = try await USBPrinterConnection.open(.usb(serial: nil))
        #expect(try emulator.state()["claimed"] == "1")
        try await connection?.write(Array("^XA^XZ".utf8), timeout: .seconds(5))
        connection = nil

        // The release runs on the connection's own thread, after the last reference went away.
        let clock = ContinuousClock()
        let limit = clock.now.advanced(by: .seconds(10))
        var state = try emulator.state()
        while state["attaches"] != "1" && clock.now < limit {
            try await Task.sleep(for: .milliseconds(10))
            state = try emulator.state()
        }
        #expect(state["claimed"] == "0")
        #expect(state["driver"] == "usblp")
        #expect(state["attaches"] == "1")
    }
}

extension USBEmulatedPrinterTests {
    /// Names of this process's threads that belong to USB contexts (`lanyard-usb-io`, `-hp`, `-ls`).
    static func usbThreads() -> [String] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.compactMap { task in
            guard let name = try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8) else { return nil }
            return name.hasPrefix("lanyard-usb-") ? name.trimmingCharacters(in: .whitespacesAndNewlines) : nil
        }
    }

    @Test func everyContextThreadEndsWithItsLastUser() async throws {
        let emulator = try USBEmulator.fresh()
        do {
            let connection = try await USBPrinterConnection.open(.usb(serial: nil))
            let events = EventCollector(try await USBPrinterDiscovery.watch())
            _ = await events.wait(for: 1)
            #expect(Self.usbThreads().sorted() == ["lanyard-usb-hp", "lanyard-usb-io"])
            _ = try await USBPrinterDiscovery.printers()
            await connection.close()
            events.stop()
        }
        #expect(try emulator.state()["claimed"] == "0")

        let clock = ContinuousClock()
        let limit = clock.now.advanced(by: .seconds(10))
        while !Self.usbThreads().isEmpty && clock.now < limit {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(Self.usbThreads() == [])
    }
}
