import Agent
import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import LanyardSupport
import NIOHTTP1
import NIOSSL
import Testing

/// A throwaway PKI made with openssl: a CA, the agent's certificate for 127.0.0.1 and localhost,
/// a client certificate from the CA, one from another CA, and a self-signed one to pin. Removed
/// with the object.
final class TestPKI: Sendable {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appending(path: "lanyard-pki-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for authority in ["ca", "other-ca"] {
            try selfSigned(
                authority, subject: "/CN=Lanyard test \(authority)",
                extensions: ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign"])
        }
        try issue("server", by: "ca", extensions: "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
        try issue("client", by: "ca", extensions: "extendedKeyUsage=clientAuth\n")
        try issue("stranger", by: "other-ca", extensions: "extendedKeyUsage=clientAuth\n")
        try selfSigned(
            "peer", subject: "/CN=peer kiosk", extensions: ["basicConstraints=critical,CA:FALSE", "extendedKeyUsage=clientAuth"])
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func path(_ file: String) -> String { directory.appending(path: file).path }

    /// As `openssl x509 -fingerprint -sha256` prints it: `AB:CD:...`, what an operator copies.
    func fingerprint(_ name: String) throws -> String {
        let output = try openssl(["x509", "-in", "\(name).pem", "-noout", "-fingerprint", "-sha256"])
        return String(try #require(output.split(separator: "=").last)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A client trusting the CA for the agent's certificate, presenting `identity`'s certificate.
    /// Runs `body` with an HTTPS client presenting `identity`, and shuts the client down however
    /// `body` ends: a client dropped unshut (a request that timed out on a loaded machine) would
    /// stop the whole test process.
    @discardableResult
    func withClient<Result>(
        presenting identity: String?, _ body: (HTTPClient) async throws -> Result
    ) async throws -> Result {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(path("ca.pem")))
        if let identity {
            tls.certificateChain = try NIOSSLCertificate.fromPEMFile(path("\(identity).pem")).map { .certificate($0) }
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: path("\(identity).key"), format: .pem))
        }
        let client = HTTPClient(configuration: HTTPClient.Configuration(tlsConfiguration: tls))
        let outcome: Swift.Result<Result, any Error>
        do { outcome = .success(try await body(client)) } catch { outcome = .failure(error) }
        try await client.shutdown()
        return try outcome.get()
    }

    private func selfSigned(_ name: String, subject: String, extensions: [String]) throws {
        try openssl(
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "\(name).key", "-out",
                "\(name).pem", "-days", "2", "-subj", subject,
            ]
                + extensions.flatMap { ["-addext", $0] })
    }

    private func issue(_ name: String, by authority: String, extensions: String) throws {
        try extensions.write(toFile: path("\(name).ext"), atomically: true, encoding: .utf8)
        try openssl([
            "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "\(name).key", "-out",
            "\(name).csr", "-subj", "/CN=\(name)",
        ])
        try openssl(
            [
                "x509", "-req", "-in", "\(name).csr", "-CA", "\(authority).pem", "-CAkey", "\(authority).key", "-set_serial",
                "\(UInt32.random(in: 1...UInt32.max))", "-days", "2", "-out", "\(name).pem", "-extfile", "\(name).ext",
            ])
    }

    @discardableResult
    private func openssl(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(filePath: "/usr/bin/openssl")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "openssl \(arguments.joined(separator: " ")) failed"])
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// The HTTPS listener with client certificates: a client the agent cannot place is refused in the
/// handshake; one from the CA or pinned gets HTTP, where the token rules apply.
@Suite struct IntegratorTLSTests {
    static let printToken = String(repeating: "p", count: 40)

    @Test func onlyAClientFromTheCAOrPinnedIsServed() async throws {
        let pki = try TestPKI()
        var options = AgentOptions()
        options.tls = TLSSettings(
            listen: "127.0.0.1:0", certificate: pki.path("server.pem"), key: pki.path("server.key"), clientCA: pki.path("ca.pem"),
            clientPins: [try pki.fingerprint("peer")])
        options.tokens = [AccessToken(name: "crm", scopes: [.print], sha256: AccessToken.digest(of: Self.printToken))]
        try await withAgent(options) { agent, local in
            let base = try #require(try await eventually { agent.application.httpsAddress })
            #expect(base.hasPrefix("https://127.0.0.1:"))
            for refused in [nil, "stranger"] {
                try await pki.withClient(presenting: refused) { client in
                    await #expect(throws: (any Error).self, "presenting \(refused ?? "no certificate")") {
                        _ = try await client.execute(HTTPClientRequest(url: "\(base)/v1/health"), timeout: .seconds(30))
                    }
                }
            }
            for accepted in ["client", "peer"] {
                try await pki.withClient(presenting: accepted) { client in
                    let health = try await client.execute(HTTPClientRequest(url: "\(base)/v1/health"), timeout: .seconds(30))
                    #expect(health.status == .ok, "presenting \(accepted)")
                    let jobs = try await client.execute(HTTPClientRequest(url: "\(base)/v1/jobs"), timeout: .seconds(30))
                    #expect(jobs.status == .unauthorized, "a certificate is not a token")
                    var badge = HTTPClientRequest(url: "\(base)/v1/badges")
                    badge.method = .POST
                    badge.headers.add(name: "Authorization", value: "Bearer \(Self.printToken)")
                    badge.headers.add(name: "Content-Type", value: "application/json")
                    badge.body = .bytes(ByteBuffer(string: #"{"attendee": \#(registration("TLS-" + accepted))}"#))
                    let submitted = try await client.execute(badge, timeout: .seconds(30))
                    #expect(submitted.status == .accepted, "presenting \(accepted)")
                }
            }
            let metrics = try await local.execute(uri: "/metrics", method: .get)
            #expect(String(buffer: metrics.body).contains(#"lanyard_agent_refusals_total{reason="client_certificate"}"#))
        }
    }

    @Test func withoutClientVerificationAnyClientGetsHTTPSButNeedsAToken() async throws {
        let pki = try TestPKI()
        var options = AgentOptions()
        options.tls = TLSSettings(listen: "127.0.0.1:0", certificate: pki.path("server.pem"), key: pki.path("server.key"))
        try await withAgent(options) { agent, _ in
            let base = try #require(try await eventually { agent.application.httpsAddress })
            try await pki.withClient(presenting: nil) { client in
                let health = try await client.execute(HTTPClientRequest(url: "\(base)/v1/health"), timeout: .seconds(30))
                #expect(health.status == .ok)
                var badge = HTTPClientRequest(url: "\(base)/v1/badges")
                badge.method = .POST
                badge.headers.add(name: "Content-Type", value: "application/json")
                badge.body = .bytes(ByteBuffer(string: #"{"attendee": \#(registration("TLS-anonymous"))}"#))
                #expect(try await client.execute(badge, timeout: .seconds(30)).status == .unauthorized)
            }
        }
    }

    @Test func aKeyThatIsNotPEMStopsTheAgentNamingTheSetting() async throws {
        let pki = try TestPKI()
        var options = AgentOptions()
        options.tls = TLSSettings(listen: "127.0.0.1:0", certificate: pki.path("server.pem"), key: pki.path("server.ext"))
        await #expect {
            try await withAgent(options) { _, _ in }
        } throws: { error in
            (error as? AgentError)?.code == .configurationInvalid && (error as? AgentError)?.detail?.hasPrefix("tls.key") == true
        }
    }
}
