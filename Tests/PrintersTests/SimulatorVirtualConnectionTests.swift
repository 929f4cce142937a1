import LanyardSupport
import Printers
import Raster
import Testing

@Suite("Virtual printer connection")
struct SimulatorVirtualConnectionTests {
    @Test(arguments: SimulatorSamples.Kind.allCases)
    func jobsPrintAndStatusComesBack(kind: SimulatorSamples.Kind) async throws {
        let bitmap = Fixtures.badgeLike(seed: 21)
        let simulator = try SimulatorSamples.simulator(for: kind.language)
        let connection = VirtualPrinterConnection(simulator: simulator)
        #expect(connection.address == .simulator && connection.canRead)
        try await connection.write(try SimulatorSamples.encode(bitmap, as: kind).bytes, timeout: .seconds(5))
        #expect(simulator.printedLabels.map(\.bitmap) == [bitmap])
        if kind.language == .zpl {
            try await connection.write(Array("~HS".utf8), timeout: .seconds(1))
            let reply = try await connection.read(timeout: .seconds(2), until: SimulatorReplies.framesComplete(3))
            #expect(reply == SimulatorReplies.hostStatus(length: 900))
        } else {
            try await connection.write(Array("^ee\n".utf8), timeout: .seconds(1))
            #expect(try await connection.read(timeout: .seconds(2), until: SimulatorReplies.lineComplete).ascii == "00\r\n")
        }
        await connection.close()
        await connection.close()
        let error = await #expect(throws: TransportError.self) { try await connection.write([0x41], timeout: .seconds(1)) }
        #expect(error?.code == .disconnected)
    }

    @Test func silentHostStatusReadsNothing() async throws {
        let simulator = try SimulatorSamples.simulator(for: .zpl)
        try simulator.setMode(.paperOut)
        let connection = VirtualPrinterConnection(simulator: simulator)
        try await connection.write(Array("~HS".utf8), timeout: .seconds(1))
        #expect(try await connection.read(timeout: .milliseconds(100), until: SimulatorReplies.framesComplete(3)).isEmpty)
        try await connection.write(Array("~HQES".utf8), timeout: .seconds(1))
        #expect(
            try await connection.read(timeout: .seconds(2), until: SimulatorReplies.framesComplete(1))
                == SimulatorReplies.extendedStatus(errors: "00000001"))
    }

    @Test func droppedConnectionFailsTheWrite() async throws {
        let job = try SimulatorSamples.encode(Fixtures.badgeLike(seed: 2), as: .zplACS).bytes
        let simulator = try SimulatorSamples.simulator(for: .zpl)
        try simulator.setMode(.dropConnection(afterBytes: 500))
        let connection = VirtualPrinterConnection(simulator: simulator)
        let error = await #expect(throws: TransportError.self) { try await connection.write(job, timeout: .seconds(5)) }
        #expect(error?.code == .disconnected && error?.bytesWritten == 500)
        let readError = await #expect(throws: TransportError.self) {
            try await connection.read(timeout: .seconds(1), until: SimulatorReplies.framesComplete(3))
        }
        #expect(readError?.code == .disconnected)
        #expect(simulator.printedLabels.isEmpty)
    }

    @Test func slowPrinterTimesTheWriteOut() async throws {
        let simulator = try SimulatorSamples.simulator(for: .zpl)
        try simulator.setMode(.slow(bytesPerSecond: 2000))
        let connection = VirtualPrinterConnection(simulator: simulator)
        let filler = [UInt8](repeating: 0x0A, count: 4000)
        let error = await #expect(throws: TransportError.self) { try await connection.write(filler, timeout: .milliseconds(300)) }
        #expect(error?.code == .timeout)
        let written = try #require(error?.bytesWritten)
        #expect(written > 0 && written < filler.count)
        // At that rate a small job still gets through when given the time.
        let bitmap = Fixtures.noise(width: 24, height: 8, density: 0.5, seed: 1)
        try await connection.write(try SimulatorSamples.encode(bitmap, as: .zplHex).bytes, timeout: .seconds(30))
        #expect(simulator.printedLabels.map(\.bitmap) == [bitmap])
    }
}
