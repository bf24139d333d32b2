import Foundation
import XCTest
@testable import DinteroCheckout

final class SignaturesTests: XCTestCase {
    /// testdata/ at the repository root, found from this file's path.
    private func vectors() throws -> [[String: Any]] {
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let data = try Data(contentsOf: root.appendingPathComponent("testdata/callback-signatures.json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [[String: Any]])
    }

    func testSharedCallbackSignatureVectors() async throws {
        let all = try vectors()
        XCTAssertGreaterThanOrEqual(all.count, 4)
        for v in all {
            let name = v["name"] as! String
            let secret = v["secret"] as! String, account = v["account_id"] as! String
            let method = v["method"] as! String, url = v["url"] as! String
            let header = v["signature_header"] as! String
            let timestamp = (v["timestamp"] as! NSNumber).int64Value
            let verifier = try CallbackVerifier(secret: secret, accountId: account)
            if v["valid"] as! Bool {
                try verifier.verifyHeaderAt(method: method, url: url, header: header, now: timestamp)
                let computed = try computeCallbackSignature(secret: secret, accountId: account, method: method, url: url, timestamp: timestamp)
                XCTAssertEqual("t=\(timestamp),v0-hmac-sha256=\(computed)", header, name)
            } else {
                let e = try await expectDinteroError(try verifier.verifyHeaderAt(method: method, url: url, header: header, now: timestamp))
                XCTAssertEqual(e.kind, .signature, name)
            }
        }
    }

    func testStaleMissingAndForgedSignaturesAreRefused() async throws {
        let url = "https://shop.example/cb?transaction_id=T12345678.abc&merchant_reference=o-1"
        let now = Int64(Date().timeIntervalSince1970)
        let old = try computeCallbackSignature(secret: "s3cret", accountId: "T12345678", method: "GET", url: url, timestamp: now - 3600)
        let verifier = try CallbackVerifier(secret: "s3cret", accountId: "T12345678")
        let stale = try await expectDinteroError(try verifier.verify(
            method: "GET", url: url, headers: ["Dintero-Signature": "t=\(now - 3600),v0-hmac-sha256=\(old)"]))
        XCTAssertEqual(stale.kind, .signature)
        XCTAssertTrue(stale.detail.contains("old"), stale.detail)
        let missing = try await expectDinteroError(try verifier.verify(method: "GET", url: url, headers: [:]))
        XCTAssertEqual(missing.kind, .signature)

        let fresh = try computeCallbackSignature(secret: "s3cret", accountId: "T12345678", method: "GET", url: url, timestamp: now)
        let cb = try verifier.verify(method: "GET", url: url, headers: ["dintero-signature": "t=\(now),v0-hmac-sha256=\(fresh)"])
        XCTAssertEqual(cb.transactionId, "T12345678.abc")
        let forged = try await expectDinteroError(try verifier.verify(
            method: "GET", url: url + "&amount=1", headers: ["dintero-signature": "t=\(now),v0-hmac-sha256=\(fresh)"]))
        XCTAssertEqual(forged.kind, .signature)

        let lenient = try CallbackVerifier(secret: "s3cret", accountId: "T12345678", tolerance: 7200)
        _ = try lenient.verify(method: "GET", url: url, headers: ["Dintero-Signature": "t=\(now - 3600),v0-hmac-sha256=\(old)"])
    }

    func testAnAuthenticButLateSignatureIsToldApartFromAForgedOne() async throws {
        let url = "https://shop.example/cb?transaction_id=T12345678.abc&merchant_reference=o-1"
        let t = Int64(Date().timeIntervalSince1970) - 3600
        let verifier = try CallbackVerifier(secret: "s3cret", accountId: "T12345678")
        let authentic = try computeCallbackSignature(secret: "s3cret", accountId: "T12345678", method: "GET", url: url, timestamp: t)
        let late = try await expectDinteroError(try verifier.verify(
            method: "GET", url: url, headers: ["Dintero-Signature": "t=\(t),v0-hmac-sha256=\(authentic)"]))
        XCTAssertEqual(late.code, "signature_expired")
        XCTAssertTrue(late.isAuthenticButLate)
        let guessed = try computeCallbackSignature(secret: "guess", accountId: "T12345678", method: "GET", url: url, timestamp: t)
        let forged = try await expectDinteroError(try verifier.verify(
            method: "GET", url: url, headers: ["Dintero-Signature": "t=\(t),v0-hmac-sha256=\(guessed)"]))
        XCTAssertEqual(forged.code, "signature_mismatch")
        XCTAssertFalse(forged.isAuthenticButLate)
        let unreadable = try await expectDinteroError(try verifier.verify(
            method: "GET", url: "not a url", headers: ["Dintero-Signature": "t=\(t),v0-hmac-sha256=00"]))
        XCTAssertEqual(unreadable.kind, .signature)
        XCTAssertEqual(unreadable.code, "signature_malformed")
    }

    func testAnEventIdThatMatchesNoEventDoesNotMakeConfirmRefuse() async throws {
        let client = try Emulator.client()
        let txId = try await Emulator.paidTransaction(client)
        _ = try await client.transactions().capture(transactionId: txId, request: CaptureRequest(amount: 33890))
        let cb = try parseCallback(url: "https://shop.example/cb?transaction_id=\(txId)&event=CAPTURE&event_id=3")
        let confirmed = try await client.confirmCallback(callback: cb)
        XCTAssertEqual(confirmed.transaction.status, .captured)
    }

    func testMismatchedCallbackIsAConflict() async throws {
        let client = try Emulator.client()
        let txId = try await Emulator.paidTransaction(client)
        let forged = try parseCallback(url: "https://shop.example/cb?transaction_id=\(txId)&merchant_reference=someone-else")
        let e = try await expectDinteroError(try await client.confirmCallback(callback: forged))
        XCTAssertEqual(e.kind, .conflict)
        XCTAssertEqual(e.code, "callback_mismatch")
    }

    func testWebhookIsVerifiedOverTheRawBody() async throws {
        // HMAC-SHA1("hook-secret", body), computed independently (Python's hmac module).
        let body = Data(#"{"event":"checkout_transaction","account_id":"T12345678","event_delivery":"d-1","transaction":{"id":"T12345678.x","status":"CAPTURED"}}"#.utf8)
        let signature = "4418864ce94ced60b425aef98a25df621a5b7fc1"
        let event = try verifyWebhook(secret: "hook-secret", body: body, signature: signature)
        XCTAssertEqual(event.event, "checkout_transaction")
        XCTAssertEqual(event.eventDelivery, "d-1")
        XCTAssertTrue(event.transactionJson?.contains("CAPTURED") ?? false)
        let wrong = try await expectDinteroError(try verifyWebhook(secret: "other-secret", body: body, signature: signature))
        XCTAssertEqual(wrong.kind, .signature)
        let none = try await expectDinteroError(try verifyWebhook(secret: "hook-secret", body: body, signature: nil))
        XCTAssertEqual(none.kind, .signature)
    }

    func testReturnAndCallbackUrlsParseWithoutAClient() async throws {
        // What a mobile app does: no client, no secret; just read where the browser came back to.
        let ok = try parseReturnUrl(url: "myapp://checkout/return?transaction_id=T12345678.abc&merchant_reference=o-1&session_id=T12345678.s")
        XCTAssertEqual(ok.outcome, .completed)
        XCTAssertEqual(ok.sessionId, "T12345678.s")
        let failed = try parseReturnUrl(url: "https://shop.example/return?error=authorization&merchant_reference=o-1")
        XCTAssertEqual(failed.outcome, .failed)
        let bad = try await expectDinteroError(try parseReturnUrl(url: "not a url"))
        XCTAssertEqual(bad.kind, .invalidInput)

        let cb = try parseCallback(url: "https://shop.example/cb?transaction_id=T12345678.abc&event=CAPTURE&event_id=e1&x=1")
        XCTAssertEqual(cb.event, "CAPTURE")
        XCTAssertEqual(cb.eventId, "e1")
        XCTAssertEqual(cb.params.last, QueryParam(name: "x", value: "1"))
    }
}
