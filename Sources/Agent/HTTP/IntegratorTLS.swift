import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import LanyardSupport
import Logging
import NIOSSL
import SwiftASN1
import Sync
import X509

/// The TLS of the integrators' listener (`tls`): the server's certificate chain and key and,
/// with `client_ca` or `client_pins`, the check of each client's certificate in the handshake.
/// A client that sends no certificate is refused by BoringSSL itself; one that sends a
/// certificate is let in when its SHA-256 is pinned or it chains to one of the CA certificates
/// (RFC 5280: validity dates, basic and name constraints). Any other is refused before a byte of
/// HTTP is read, counted (`client_certificate`) and logged with its fingerprint.
enum IntegratorTLS {
    /// HTTP/1.1 over TLS as `settings` describe it; a file that cannot be read, or a key that does
    /// not go with the certificate, is a configuration error naming the setting.
    static func server(_ settings: TLSSettings, metrics: AgentMetrics, logger: Logger) throws(AgentError) -> HTTPServerBuilder {
        let configuration = try channelConfiguration(settings, metrics: metrics, logger: logger)
        do { return try .tls(.http1(), configuration: configuration) } catch {
            throw AgentError(
                .configurationInvalid, "the HTTPS listener's certificate and key do not make a TLS server: \(error)", detail: "tls")
        }
    }

    static func channelConfiguration(
        _ settings: TLSSettings, metrics: AgentMetrics, logger: Logger
    ) throws(AgentError) -> TLSChannelConfiguration {
        let chain = try certificates(settings.certificate, setting: "tls.certificate")
        let key: NIOSSLPrivateKey
        do { key = try NIOSSLPrivateKey(file: settings.key, format: .pem) } catch {
            throw AgentError(
                .configurationInvalid, "cannot read the HTTPS listener's private key (PEM): \(error)", detail: "tls.key: \(settings.key)")
        }
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        guard settings.verifiesClients else { return TLSChannelConfiguration(tlsConfiguration: tls) }
        tls.certificateVerification = .noHostnameVerification
        var roots: [Certificate] = []
        if let path = settings.clientCA {
            for certificate in try certificates(path, setting: "tls.client_ca") {
                do { roots.append(try Certificate(derEncoded: certificate.toDERBytes())) } catch {
                    throw AgentError(
                        .configurationInvalid, "a certificate in the client CA bundle cannot be read: \(error)", detail: "tls.client_ca")
                }
            }
        }
        let clients = ClientCertificates(roots: roots, pins: Set(settings.clientPins), metrics: metrics, logger: logger)
        return TLSChannelConfiguration(tlsConfiguration: tls, customAsyncVerificationCallback: { await clients.verify($0) })
    }

    /// Every certificate of a PEM file, at least one.
    static func certificates(_ path: String, setting: String) throws(AgentError) -> [NIOSSLCertificate] {
        let certificates: [NIOSSLCertificate]
        do { certificates = try NIOSSLCertificate.fromPEMFile(path) } catch {
            throw AgentError(
                .configurationInvalid, "cannot read the certificates (PEM) in \(path): \(error)", detail: "\(setting): \(path)")
        }
        guard !certificates.isEmpty else {
            throw AgentError(.configurationInvalid, "\(path) holds no PEM certificate", detail: "\(setting): \(path)")
        }
        return certificates
    }
}

/// Which client certificates the integrators' listener accepts.
struct ClientCertificates: Sendable {
    let roots: [Certificate]
    /// SHA-256 of accepted certificates (DER), lowercase hex.
    let pins: Set<String>
    let metrics: AgentMetrics
    let logger: Logger

    /// `chain`: what the client sent, its own certificate first.
    func verify(_ chain: [NIOSSLCertificate]) async -> NIOSSLVerificationResult {
        guard let der = try? chain.first?.toDERBytes() else { return refuse(fingerprint: "none") }
        let fingerprint = SHA256Digest.hex(Data(der))
        if pins.contains(fingerprint) { return .certificateVerified }
        if !roots.isEmpty, let leaf = try? Certificate(derEncoded: der) {
            let intermediates = chain.dropFirst().compactMap { try? Certificate(derEncoded: $0.toDERBytes()) }
            var verifier = Verifier(rootCertificates: CertificateStore(roots)) { RFC5280Policy() }
            if case .validCertificate = await verifier.validate(leaf: leaf, intermediates: CertificateStore(intermediates)) {
                return .certificateVerified
            }
        }
        return refuse(fingerprint: fingerprint)
    }

    private func refuse(fingerprint: String) -> NIOSSLVerificationResult {
        metrics.recordRefusal(.clientCertificate)
        logger.notice("client certificate refused", metadata: ["reason": "client_certificate", "fingerprint": "\(fingerprint)"])
        return .failed
    }
}
