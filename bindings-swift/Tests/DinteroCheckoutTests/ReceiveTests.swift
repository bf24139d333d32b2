import Foundation
import XCTest
@testable import DinteroCheckout

/// The framework-neutral receiver, `client.callbacks().receive(...)`, fed a real signed callback
/// of the emulator the way a server framework (Vapor, Hummingbird, ...) hands a request over:
/// method, path and query, headers. Directly, behind a simulated proxy, forged, late, and while
/// Dintero's transaction route fails.
final class ReceiveTests: XCTestCase {
    /// A paid session's callback as the emulator signed it (it cannot reach shop.example).
    struct Delivered { let transactionId: String; let url: URL; let signature: String
        var pathAndQuery: String { url.path + "?" + (url.query ?? "") }
    }

    private func delivered(_ client: Client) async throws -> Delivered {
        let request = SessionRequest(
            url: SessionUrls(returnUrl: "https://shop.example/return", callbackUrl: "https://shop.example/dintero/callback", extra: "{}"),
            order: Emulator.sessionRequest().order, profileId: "default", extra: "{}")
        let session = try await client.sessions().create(request: request)
        let transactionId = try await Emulator.pay(session.id)["transaction_id"] as! String
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            for case let d as [String: Any] in try await Emulator.request("GET", "/_emulator/callbacks") as! [Any] {
                let url = d["url"] as! String
                let headers = d["headers"] as! [String: String]
                if url.contains("transaction_id=\(transactionId)"),
                   let sig = headers.first(where: { $0.key.lowercased() == "dintero-signature" })?.value {
                    return Delivered(transactionId: transactionId, url: URL(string: url)!, signature: sig)
                }
            }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        throw ControlError(text: "no signed callback for \(transactionId)")
    }

    func testReceivesRealCallbacksDirectlyBehindAProxyForgedLateAndTransient() async throws {
        let client = try Emulator.client(retry: RetryOptions(maxAttempts: 2, initialBackoff: 0.005, maxBackoff: 0.02))
        let verifier = try CallbackVerifier(secret: Emulator.signatureSecret, accountId: Emulator.accountId)
        let cb = try await delivered(client)
        let receive = { (headers: [String: String], publicUrl: String?, trustProxy: Bool) in
            await client.callbacks().receive(verifier: verifier, method: "GET", pathAndQuery: cb.pathAndQuery,
                                                 headers: headers, publicUrl: publicUrl, trustProxy: trustProxy)
        }
        func assertConfirmed(_ r: CallbackReceipt, late: Bool = false, line: UInt = #line) {
            XCTAssertEqual(r.status, 200, r.reason, line: line)
            XCTAssertEqual(r.outcome, .confirmed, line: line)
            XCTAssertEqual(r.transaction?.id, cb.transactionId, line: line)
            XCTAssertEqual(r.late, late, line: line)
        }
        func assertRefused(_ r: CallbackReceipt, line: UInt = #line) {
            XCTAssertEqual(r.status, 403, r.reason, line: line)
            XCTAssertEqual(r.outcome, .refused, line: line)
            XCTAssertNil(r.transaction, "nothing to fulfil from a refused callback", line: line)
        }

        // Straight from Dintero.
        assertConfirmed(await receive(["Host": "shop.example", "Dintero-Signature": cb.signature], nil, false))

        // Behind the shop's proxy: an internal Host, the public one in forwarded headers.
        let proxied = ["Host": "10.0.0.7:8080", "X-Forwarded-Host": "shop.example", "X-Forwarded-Proto": "https",
                       "Dintero-Signature": cb.signature]
        let untrusted = await receive(proxied, nil, false)
        assertRefused(untrusted)
        XCTAssertEqual(untrusted.error?.code, "signature_mismatch")
        assertConfirmed(await receive(proxied, nil, true))
        assertConfirmed(await receive(["Host": "10.0.0.7:8080", "Forwarded": "for=203.0.113.9;host=shop.example;proto=https",
                                           "Dintero-Signature": cb.signature], nil, true))
        assertConfirmed(await receive(["Host": "10.0.0.7:8080", "Dintero-Signature": cb.signature], "https://shop.example", false))

        // Forged, unsigned, and Dintero's own late retry (an hour old: confirmed, never refused).
        let now = Int64(Date().timeIntervalSince1970)
        func signed(_ secret: String, _ t: Int64) throws -> String {
            "t=\(t),v0-hmac-sha256=" + (try computeSignature(secret: secret, accountId: Emulator.accountId, method: "GET",
                                                             url: cb.url.absoluteString, timestamp: t))
        }
        assertRefused(await receive(["Host": "shop.example", "Dintero-Signature": try signed("a-guess", now)], nil, false))
        assertRefused(await receive(["Host": "shop.example"], nil, false))
        assertConfirmed(await receive(["Host": "shop.example", "Dintero-Signature": try signed(Emulator.signatureSecret, now - 3600)],
                                          nil, false), late: true)

        // Dintero down: 503, so Dintero delivers it again; then confirmed.
        try await Emulator.fault("get_transaction", "status_503", times: 2)
        let down = await receive(["Host": "shop.example", "Dintero-Signature": cb.signature], nil, false)
        XCTAssertEqual(down.status, 503, down.reason)
        XCTAssertEqual(down.outcome, .retryLater)
        XCTAssertNil(down.transaction)
        assertConfirmed(await receive(["Host": "shop.example", "Dintero-Signature": cb.signature], nil, false))
    }
}
