import Foundation
import XCTest
@testable import DinteroCheckout

/// The whole checkout, backend and app side, over real HTTP against the emulator.
final class CheckoutFlowTests: XCTestCase {
    func testSessionPaymentReturnCallbackCaptureRefund() async throws {
        let client = try Emulator.client()
        let reference = Emulator.reference("flow")
        let created = try await client.sessions().create(request: Emulator.sessionRequest(try Emulator.chairOrder(reference)))
        XCTAssertTrue(created.id.hasPrefix("T12345678."), created.id)
        XCTAssertTrue((created.url ?? "").hasPrefix(Emulator.baseUrl), created.url ?? "no url")

        // The app: the customer pays on the hosted page and comes back to return_url.
        let returned = try parseReturnUrl(url: try await Emulator.pay(created.id))
        XCTAssertEqual(returned.outcome, .completed)
        XCTAssertEqual(returned.merchantReference, reference)
        let txId = try XCTUnwrap(returned.transactionId)

        // The backend: verify the signed callback, then confirm it against the transaction.
        let delivery = try await Emulator.callback(for: txId)
        let verifier = try CallbackVerifier(secret: Emulator.signatureSecret, accountId: Emulator.accountId)
        let callback = try verifier.verify(
            method: delivery["method"] as! String, url: delivery["url"] as! String,
            headers: delivery["headers"] as! [String: String]
        )
        XCTAssertEqual(callback.transactionId, txId)
        XCTAssertEqual(callback.sessionId, created.id)
        let confirmed = try await client.confirmCallback(callback: callback)
        XCTAssertEqual(confirmed.transaction.status, .authorized)
        XCTAssertTrue(confirmed.transaction.isPaid)

        let tx = try await client.transactions().get(transactionId: txId)
        XCTAssertEqual(tx.amount, 33890)
        XCTAssertEqual(tx.currency, "NOK")
        XCTAssertEqual(tx.statusRaw, "AUTHORIZED")
        XCTAssertEqual(tx.items.map(\.lineId), ["1", "ship"])
        XCTAssertTrue(tx.events.contains { $0.event == .authorize && $0.success == true })

        let first = try await client.transactions().capture(
            transactionId: txId,
            request: CaptureRequest(amount: 29990, captureReference: "\(reference)-c1", items: [OrderItem(lineId: "1", amount: 29990)])
        )
        XCTAssertEqual(first.state, .completed)
        XCTAssertEqual(first.reference, "\(reference)-c1")
        XCTAssertEqual(first.transaction.status, .partiallyCaptured)
        XCTAssertEqual(first.transaction.capturedAmount, 29990)
        XCTAssertFalse(first.reconciled)

        let second = try await client.transactions().capture(transactionId: txId, request: CaptureRequest(amount: 3900))
        XCTAssertNil(second.reference, "no reference given, none sent")
        XCTAssertEqual(second.transaction.status, .captured)

        let refund = try await client.transactions().refund(transactionId: txId, request: RefundRequest(amount: 3900, reason: "shipping refunded"))
        XCTAssertEqual(refund.transaction.status, .partiallyRefunded)
        XCTAssertEqual(refund.transaction.refundedAmount, 3900)

        let updated = try await client.transactions().update(transactionId: txId, merchantReference2: "erp-\(reference)")
        XCTAssertEqual(updated.merchantReference2, "erp-\(reference)")
        XCTAssertEqual(client.tokenRequests(), 1, "one token serves every call")
    }

    func testDeclinedAndCancelledPayments() async throws {
        let client = try Emulator.client()
        let declined = try await client.sessions().create(request: Emulator.sessionRequest(try Emulator.chairOrder()))
        let failed = try parseReturnUrl(url: try await Emulator.pay(declined.id, card: Emulator.decline))
        XCTAssertEqual(failed.outcome, .failed)
        XCTAssertNotNil(failed.error)

        let abandoned = try await client.sessions().create(request: Emulator.sessionRequest(try Emulator.chairOrder()))
        let cancelled = try parseReturnUrl(url: try await Emulator.cancelPayment(abandoned.id))
        XCTAssertEqual(cancelled.outcome, .cancelled)
        XCTAssertEqual(cancelled.error, "cancelled")
        XCTAssertNil(cancelled.transactionId)
    }

    func testCaptureIsExactlyOnceAfterAConnectionCut() async throws {
        let client = try Emulator.client()
        let txId = try await Emulator.paidTransaction(client)
        try await Emulator.fault("capture", "reset_after_apply")
        let op = try await client.transactions().capture(transactionId: txId, request: CaptureRequest(amount: 33890))
        XCTAssertTrue(op.reconciled, "the outcome was found by re-reading")
        XCTAssertEqual(op.transaction.status, .captured)
        let captures = try await client.transactions().get(transactionId: txId).events.filter { $0.event == .capture }
        XCTAssertEqual(captures.count, 1, "captured once, not twice")
        XCTAssertEqual(captures.first?.eventReference, op.reference)
    }

    func testAnOutcomeUnknownCaptureCarriesItsReferenceAndTheSafeRetryCapturesOnce() async throws {
        let client = try Emulator.client(
            retry: RetryOptions(maxAttempts: 2, initialBackoff: 0.01, maxBackoff: 0.02), timeout: 1)
        let txId = try await Emulator.paidTransaction(client)
        // Applied, the answer lost, and the transaction cannot be re-read to find out. (The read
        // before the capture passes: faults fire in order, and a 0 ms delay changes nothing.)
        try await Emulator.fault("capture", "reset_after_apply")
        try await Emulator.fault("get_transaction", "delay", ms: 0)
        try await Emulator.fault("get_transaction", "status_503", times: 20)
        let error = try await expectDinteroError(
            try await client.transactions().capture(
                transactionId: txId, request: CaptureRequest(amount: 10000, captureReference: "cap-lost")))
        XCTAssertTrue(error.outcomeUnknown, "\(error)")
        let reference = try XCTUnwrap(error.reference, "\(error)")
        XCTAssertEqual(reference, "cap-lost")
        try await Emulator.clearFaults()

        let op = try await client.transactions().capture(
            transactionId: txId, request: CaptureRequest(amount: 10000, captureReference: reference))
        XCTAssertEqual(op.reference, reference)
        XCTAssertTrue(op.reconciled)
        let captures = try await client.transactions().get(transactionId: txId).events.filter { $0.event == .capture }
        XCTAssertEqual(captures.map { $0.eventReference }, [reference as String?], "captured once")
    }

    func testAcceptedOperationIsAwaited() async throws {
        let client = try Emulator.client()
        let txId = try await Emulator.paidTransaction(client)
        try await Emulator.fault("capture", "accepted_202")
        let op = try await client.transactions().capture(transactionId: txId, request: CaptureRequest(amount: 33890))
        XCTAssertEqual(op.state, .accepted)
        let requestId = try XCTUnwrap(op.eventRequestId)
        let done = try await client.transactions().waitForEvent(transactionId: txId, eventRequestId: requestId, timeout: 10)
        XCTAssertEqual(done.status, .captured)
    }

    func testVoidAndExtendAuthorization() async throws {
        let client = try Emulator.client()
        // Only a pre-authorized payment's authorization can change (Dintero answers 400 otherwise).
        let base = Emulator.sessionRequest(try Emulator.chairOrder())
        let request = SessionRequest(
            url: base.url, order: base.order, profileId: base.profileId,
            configurationJson: #"{"pre_authorization": true}"#)
        let created = try await client.sessions().create(request: request)
        let redirect = try await Emulator.pay(created.id)
        let txId = try XCTUnwrap(try parseReturnUrl(url: redirect).transactionId)
        let extended = try await client.transactions().extendAuthorization(
            transactionId: txId, request: ExtendAuthorizationRequest(reason: "late delivery"))
        XCTAssertEqual(extended.status, .authorized)
        let voided = try await client.transactions().void(transactionId: txId)
        XCTAssertEqual(voided.transaction.status, .authorizationVoided)
        XCTAssertFalse(voided.transaction.isPaid)
    }

    func testWaitForPaymentSeesThePaymentLand() async throws {
        let client = try Emulator.client()
        let created = try await client.sessions().create(request: Emulator.sessionRequest(try Emulator.chairOrder()))
        let txId = try parseReturnUrl(url: try await Emulator.pay(created.id)).transactionId
        let session = try await client.waitForPayment(sessionId: created.id, interval: 0.1, timeout: 5)
        XCTAssertEqual(session.transactionId, txId)

        let unpaid = try await client.sessions().create(request: Emulator.sessionRequest(try Emulator.chairOrder()))
        let e = try await expectDinteroError(try await client.waitForPayment(sessionId: unpaid.id, interval: 0.1, timeout: 0.1))
        XCTAssertEqual(e.kind, .timeout)
    }

    func testSessionRequestsAreCheckedBeforeSending() async throws {
        let good = Emulator.sessionRequest(try Emulator.chairOrder())
        try validateSessionRequest(request: good)
        let noProfile = SessionRequest(url: good.url, order: good.order)
        let e = try await expectDinteroError(try validateSessionRequest(request: noProfile))
        XCTAssertTrue(e.detail.contains("configuration"), e.detail)
        let badUrl = SessionRequest(url: SessionUrls(returnUrl: "not a url"), order: good.order, profileId: "default")
        let u = try await expectDinteroError(try validateSessionRequest(request: badUrl))
        XCTAssertTrue(u.detail.contains("url.return_url"), u.detail)
    }
}
