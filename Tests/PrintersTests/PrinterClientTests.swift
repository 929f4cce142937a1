import Foundation
import Printers
import Raster
import Testing

/// The client's status poll against the simulator: the simulator's replies, in the documented
/// formats, read by the status parsers, must give the state the simulator is in.
@Suite struct PrinterClientTests {
    static let profiles: ProfileLibrary = {
        do { return try ProfileLibrary.load(directory: Fixtures.profilesDirectory) } catch {
            preconditionFailure("profiles: \(error)")
        }
    }()

    func client(_ profileID: String, mode: SimulatorMode = .ready) throws -> (PrinterClient, PrinterSimulator) {
        let profile = try Self.profiles.require(id: profileID)
        let simulator = try PrinterSimulator(profile: profile)
        try simulator.setMode(mode)
        let client = PrinterClient(
            connection: VirtualPrinterConnection(simulator: simulator), profile: profile,
            queryTimeout: .milliseconds(300))
        return (client, simulator)
    }

    @Test(arguments: [
        (SimulatorMode.ready, PrinterCondition.ready), (.paperOut, .paperOut), (.headOpen, .headOpen), (.paused, .paused),
    ])
    func zplStatusFollowsTheSimulator(mode: SimulatorMode, expected: PrinterCondition) async throws {
        let (client, _) = try client("zebra-zd621d-300", mode: mode)
        let reading = try await client.status()
        #expect(reading.status.conditions.contains(expected), "\(reading)")
        if expected == .ready { #expect(reading.status.isReady) } else { #expect(!reading.status.isReady) }
    }

    @Test(arguments: [(SimulatorMode.ready, PrinterCondition.ready), (.paperOut, .paperOut), (.headOpen, .headOpen)])
    func eplStatusFollowsTheSimulator(mode: SimulatorMode, expected: PrinterCondition) async throws {
        let (client, _) = try client("zebra-gc420d-203", mode: mode)
        #expect(client.language == .epl)
        let reading = try await client.status()
        #expect(reading.status.conditions.contains(expected), "\(reading)")
    }

    @Test func aJobSentThroughTheClientPrintsTheSameRaster() async throws {
        let (client, simulator) = try client("zebra-zd621d-300")
        var bitmap = Bitmap(width: 1200, height: 900)
        bitmap.fill(x: 100, y: 100, width: 301, height: 77, black: true)
        let job = try LabelEncoder.encode(bitmap: bitmap, profile: client.profile, language: .zpl, overrides: JobOverrides())
        try await client.send(job: job.bytes)
        let printed = await simulator.waitForLabels(count: 1, timeout: .seconds(5))
        #expect(printed.first?.bitmap == bitmap)
        #expect(try await client.status().status.isReady)
    }

    @Test func identificationNamesTheModel() async throws {
        let (client, _) = try client("zebra-zd621d-300")
        let identity = try #require(try await client.identification())
        #expect(identity.dpi == 300)
        #expect(identity.model.contains("ZD621"))
    }
}
