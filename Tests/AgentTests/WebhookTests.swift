import Agent
import Foundation
import Testing

@Suite struct WebhookSignatureTests {
    let body = Data(#"{"source":"crm","source_id":"R-1"}"#.utf8)
    let secret = "s3cret"
    let now = Date(timeIntervalSince1970: 1_790_000_000)

    @Test func aFreshCorrectSignaturePasses() throws {
        let signature = WebhookSignature.sign(body: body, timestamp: 1_790_000_000, secret: secret)
        try WebhookSignature(secret: secret, tolerance: 300).verify(body: body, timestamp: "1790000000", signature: signature, now: now)
    }

    @Test(arguments: [
        ("missing timestamp", nil as String?, true, 0),
        ("garbage timestamp", "soon", true, 0),
        ("old timestamp", "1789999000", true, 0),
        ("future timestamp", "1790001000", true, 0),
        ("wrong secret", "1790000000", false, 0),
        ("tampered body", "1790000000", true, 1),
    ])
    func badDeliveriesAreRefused(_ label: String, timestamp: String?, rightSecret: Bool, tamper: Int) {
        let signedAt = Int(timestamp ?? "") ?? 1_790_000_000
        let signature = WebhookSignature.sign(body: body, timestamp: signedAt, secret: rightSecret ? secret : "other")
        var received = body
        if tamper == 1 { received.append(0x20) }
        #expect(throws: AgentError.self, "\(label)") {
            try WebhookSignature(secret: secret, tolerance: 300).verify(
                body: received, timestamp: timestamp, signature: signature, now: now)
        }
    }

    @Test func malformedSignatureHeadersAreRefused() {
        for header in [nil, "", "sha256=", "sha1=abcd", "sha256=zz" + String(repeating: "0", count: 62)] {
            #expect(throws: AgentError.self) {
                try WebhookSignature(secret: secret, tolerance: 300).verify(
                    body: body, timestamp: "1790000000", signature: header, now: now)
            }
        }
    }
}

@Suite struct RateLimiterTests {
    @Test func aSourceGetsItsRateAndNoMore() {
        let limiter = RateLimiter(perMinute: 60)
        let start = ContinuousClock.now
        for _ in 0..<60 { #expect(limiter.acquire("crm", now: start) == nil) }
        let wait = limiter.acquire("crm", now: start)
        #expect(wait != nil && wait! <= .seconds(1))
        #expect(limiter.acquire("other", now: start) == nil, "sources are limited separately")
        #expect(limiter.acquire("crm", now: start + .seconds(1)) == nil, "one token a second comes back")
    }
}
