import Printers
import Raster
import Testing

/// `SimulatedLabel.receivedAt` is when the label's last byte reached the printer (what
/// `lanyard-bench --agent` measures to), not when its first byte came nor when it printed.
@Suite("Printer simulator arrival times")
struct SimulatorArrivalTests {
    @Test(arguments: [SimulatorSamples.Kind.zplZ64, .epl])
    func aLabelArrivesWithItsLastByte(kind: SimulatorSamples.Kind) throws {
        let job = try SimulatorSamples.encode(Fixtures.badgeLike(seed: 5), as: kind).bytes
        let simulator = try SimulatorSamples.simulator(for: kind.language)
        let session = simulator.makeSession()
        let cut = job.count - 2
        _ = session.receive(Array(job[..<cut]))
        #expect(simulator.printedLabels.isEmpty)
        let beforeLastBytes = ContinuousClock.now
        _ = session.receive(Array(job[cut...]))
        let afterLastBytes = ContinuousClock.now
        let label = try #require(simulator.printedLabels.first)
        #expect(beforeLastBytes <= label.receivedAt && label.receivedAt <= afterLastBytes)
    }

    @Test func aHeldLabelKeepsItsArrivalTime() throws {
        let simulator = try SimulatorSamples.simulator(for: .zpl)
        try simulator.setMode(.paperOut)
        let session = simulator.makeSession()
        let before = ContinuousClock.now
        _ = session.receive(try SimulatorSamples.encode(Fixtures.blocks(width: 64, height: 40, seed: 2), as: .zplACS).bytes)
        let arrived = ContinuousClock.now
        #expect(simulator.printedLabels.isEmpty && simulator.snapshot.heldLabels == 1)
        try simulator.setMode(.ready)
        let label = try #require(simulator.printedLabels.first)
        #expect(before <= label.receivedAt && label.receivedAt <= arrived, "the arrival, not the time paper was loaded")
    }
}
