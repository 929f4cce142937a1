import Foundation
import LanyardSupport
import Printers
import Testing

/// The one place a printer is chosen: what each kind of address needs, and what the resolved
/// printer opens. USB discovery and matching run against an emulated printer in the USB suites.
struct PrinterResolverTests {
    let library: ProfileLibrary

    init() throws {
        library = try ProfileLibrary.load(directory: Fixtures.profilesDirectory)
    }

    func resolver(_ address: PrinterAddress?, profile: String?) -> PrinterResolver {
        PrinterResolver(
            address: address, profile: profile, library: library,
            simulatorOutput: FileManager.default.temporaryDirectory.appending(path: "lanyard-resolver-\(UUID().uuidString)"))
    }

    @Test func aDeviceFileWithoutAProfileIsRefusedByName() async throws {
        let file = await #expect(throws: PrintersError.self) { try await resolver(.file(path: "/dev/null"), profile: nil).resolve() }
        #expect(file?.code == .profileRequired)
        #expect(file?.field == "profile")
    }

    /// With a profile named, resolving must not contact a network printer: the agent starts while
    /// the printer is off. Connecting does, and fails as a transport error.
    @Test func aNetworkPrinterWithAProfileIsResolvedWithoutBeingContacted() async throws {
        let address = try PrinterAddress(parsing: "tcp://127.0.0.1:9")
        let printer = try await resolver(address, profile: "zebra-zd421d-203").resolve()
        #expect(printer.profile.id == "zebra-zd421d-203")
        #expect(printer.key == address.description)
        #expect(printer.address == address)
        #expect(printer.simulator == nil)
        #expect(printer.language == .zpl)
        await #expect(throws: TransportError.self) { _ = try await resolver(address, profile: "zebra-zd421d-203").connect() }
    }

    /// Every bundled profile played by the simulator over TCP, in ZPL, is found again from its
    /// `~HI` answer alone; `connect()` keeps the connection it asked on.
    @Test(arguments: try ProfileLibrary.load(directory: Fixtures.profilesDirectory).ids)
    func aNetworkPrinterWithoutAProfileIsIdentifiedByItsHI(profileID: String) async throws {
        let served = try ServedSimulator(PrinterSimulator(profile: library.require(id: profileID), language: .zpl))
        let resolver = resolver(try served.address, profile: nil)
        let printer = try await resolver.resolve()
        #expect(printer.profile.id == profileID)
        #expect(printer.key == (try served.address).description)
        let modelName = served.simulator.configuration.modelName
        #expect(printer.notes == ["profile \(profileID) chosen from the printer's ~HI answer: \(modelName), firmware V00.00.00SIM"])
        let (connected, client) = try await resolver.connect()
        #expect(connected.profile.id == profileID && client.profile.id == profileID)
        // Asked directly: `identification()` is for ZPL clients, and an EPL-first profile drives
        // the printer in EPL.
        #expect(try PrinterIdentification.parse(await client.ask(.zplHostIdentification)).model == modelName)
        await client.close()
    }

    /// A printer that does not answer `~HI` (here an EPL one) is refused, saying so. The wait
    /// for the answer is a status query's (800 ms), not the resolver's timeout for opening a
    /// printer; that is by construction, not timed here (a loaded machine makes any bound noisy).
    @Test func aNetworkPrinterThatDoesNotAnswerHIIsRefusedSayingSo() async throws {
        let served = try ServedSimulator(.epl)
        var resolver = resolver(try served.address, profile: nil)
        resolver.timeout = .seconds(60)
        let error = await #expect(throws: PrintersError.self) { try await resolver.connect() }
        #expect(error?.code == .profileRequired)
        #expect(error?.field == "profile")
        #expect(error?.message.contains("did not answer ~HI") == true, "\(String(describing: error))")
    }

    @Test func aNetworkPrinterOfAnUnknownModelIsUnmatchedByName() async throws {
        var configuration = PrinterSimulator.Configuration(profile: try library.require(id: "zebra-zd421d-300"), language: .zpl)
        configuration.modelName = "ACME LP-9000"
        let served = try ServedSimulator(PrinterSimulator(configuration: configuration))
        let error = await #expect(throws: PrintersError.self) { try await resolver(try served.address, profile: nil).resolve() }
        #expect(error?.code == .profileUnmatched)
        #expect(error?.message.contains("ACME LP-9000 at 300 dpi") == true, "\(String(describing: error))")
    }

    /// A model with a comma shifts the `~HI` fields, so the resolution field holds the firmware.
    @Test func aNetworkPrinterWithAnUnreadableHIIsRefusedSayingWhy() async throws {
        var configuration = PrinterSimulator.Configuration(profile: try library.require(id: "zebra-zd421d-300"), language: .zpl)
        configuration.modelName = "ZD421,300"
        let served = try ServedSimulator(PrinterSimulator(configuration: configuration))
        let error = await #expect(throws: PrintersError.self) { try await resolver(try served.address, profile: nil).resolve() }
        #expect(error?.code == .profileRequired)
        #expect(
            error?.message.contains("answered ~HI with something unreadable (expected dots per mm") == true, "\(String(describing: error))")
    }

    /// Without a profile a network printer must be reached to be asked: one that cannot be fails
    /// as connecting to it would.
    @Test func anUnreachableNetworkPrinterWithoutAProfileIsATransportError() async throws {
        let address = try PrinterAddress(parsing: "tcp://127.0.0.1:1")
        await #expect(throws: TransportError.self) { try await resolver(address, profile: nil).resolve() }
    }

    @Test func anUnknownProfileIdIsAProfileError() async throws {
        let error = await #expect(throws: ProfileError.self) {
            try await resolver(try PrinterAddress(parsing: "tcp://127.0.0.1:9"), profile: "no-such-printer").resolve()
        }
        #expect(error?.code == .notFound)
    }

    /// A path instead of an id loads that one profile file, outside the library.
    @Test func aProfileCanBeAFile() async throws {
        let file = Fixtures.repositoryRoot.appending(path: "firmware-profiles/tsc-te210-203.yaml").path
        let printer = try await resolver(.file(path: "/dev/null"), profile: file).resolve()
        #expect(printer.profile.id == "tsc-te210-203")
        #expect(printer.language == printer.profile.rasterLanguage)
    }

    /// The simulator plays the default profile unless told otherwise, and each `open()` is a new
    /// connection to the same simulated printer, whose labels accumulate.
    @Test func theSimulatorIsOneSimulatedPrinterAcrossOpens() async throws {
        let sim = resolver(.simulator, profile: nil)
        defer { try? FileManager.default.removeItem(at: sim.simulatorOutput) }
        let printer = try await sim.resolve()
        #expect(printer.profile.id == "zebra-zd621d-300")
        #expect(printer.key == "sim")
        let simulator = try #require(printer.simulator)
        for _ in 0..<2 {
            let client = try await printer.open()
            try await client.send(job: Array("^XA^PW200^LL100^FO10,10^GB50,50,50^FS^XZ".utf8))
            #expect(try await client.status().status.isReady)
            await client.close()
        }
        #expect(await simulator.waitForLabels(count: 2, timeout: .seconds(10)).count == 2)
        let named = resolver(.simulator, profile: "zebra-zd421d-203")
        defer { try? FileManager.default.removeItem(at: named.simulatorOutput) }
        #expect(try await named.resolve().profile.id == "zebra-zd421d-203")
    }
}
