import Badges
import Foundation
import Printers
import Raster
import Testing

/// Every sample badge, encoded for its printer and sent over TCP to the simulator, comes back as
/// the raster that was rendered: in ZPL at 300 and 203 dpi and in EPL.
@Suite struct SimulatorRoundTripTests {
    @Test(arguments: [("zebra-zd621d-300", PrinterLanguage.zpl), ("zebra-zd421d-203", .zpl), ("zebra-gc420d-203", .epl)])
    func everySampleBadgeComesBackDotForDot(profileID: String, language: PrinterLanguage) async throws {
        let profile = try Fixtures.profile(profileID)
        let simulator = try PrinterSimulator(profile: profile, language: language)
        let server = try SimulatorServer(simulator: simulator)
        defer { server.stop() }
        let connection = try await TCPPrinterConnection.connect(to: server.address, timeout: .seconds(5))
        let client = PrinterClient(connection: connection, profile: profile, language: language)
        var sent: [Bitmap] = []
        for template in Fixtures.templates {
            let renderer = try BadgeRenderer(bundle: try Fixtures.bundle(template), dpi: profile.dpi, logger: Fixtures.logger)
            for attendee in Fixtures.attendees {
                let badge = try renderer.render(fields: BadgeFields.fields(for: attendee, event: Fixtures.event))
                let job = try LabelEncoder.encode(bitmap: badge.bitmap, profile: profile, language: language)
                try await client.send(job: job.bytes, timeout: .seconds(10))
                sent.append(badge.bitmap)
            }
        }
        let printed = await simulator.waitForLabels(count: sent.count, timeout: .seconds(60))
        await client.close()
        #expect(simulator.errors.isEmpty, "\(simulator.errors)")
        #expect(printed.count == sent.count)
        for (index, (label, bitmap)) in zip(printed, sent).enumerated() {
            #expect(label.bitmap == bitmap, "badge \(index + 1) of \(sent.count) differs after the round trip")
        }
    }
}
