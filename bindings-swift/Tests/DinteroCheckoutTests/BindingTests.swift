import Foundation
import XCTest
@testable import DinteroCheckout

/// What only the binding can break: conversion, error mapping, async bridging, secrets.
final class BindingTests: XCTestCase {
    func testRecordsOpenEnumsAndExtraCrossBothWays() async throws {
        let client = try Emulator.client()
        let created = try await client.sessions().create(
            request: Emulator.sessionRequest(extra: #"{"metadata": {"ext_color": "blue"}}"#))
        let session = try await client.sessions().get(sessionId: created.id)
        let extra = try JSONSerialization.jsonObject(with: Data(session.extra.utf8)) as! [String: Any]
        XCTAssertEqual((extra["metadata"] as? [String: Any])?["ext_color"] as? String, "blue", session.extra)
        XCTAssertEqual(session.order?.items.first?.lineId, "1")
        XCTAssertEqual(session.order?.items.first?.amount, 29990)
        XCTAssertEqual(session.events.first?.name, "INITIATED")

        // Values this SDK does not know arrive as unrecognized, with Dintero's spelling ...
        let cb = try parseCallback(url: "https://shop.example/cb?transaction_id=T12345678.a&error=brand_new&event=NEW_EVENT&x=1")
        XCTAssertEqual(cb.error, .unrecognized("brand_new"))
        XCTAssertEqual(cb.event, .unrecognized("NEW_EVENT"))
        XCTAssertTrue(cb.params.contains(QueryParam(name: "x", value: "1")))

        // ... and go back into Rust as they came.
        func tx(_ status: TransactionStatus?) -> Transaction {
            Transaction(id: "T12345678.b", status: status, amount: 100, currency: "NOK", merchantReference: "r",
                        events: [], extra: #"{"card": {}}"#)
        }
        XCTAssertFalse(tx(.unrecognized("SOMETHING_NEW")).isPaid)
        XCTAssertTrue(tx(.authorized).isPaid)
        XCTAssertEqual(tx(nil).capturedAmount, 0)
        XCTAssertEqual(TransactionStatus.unrecognized("SOMETHING_NEW").value, "SOMETHING_NEW")
        XCTAssertEqual(TransactionStatus.partiallyCaptured.value, "PARTIALLY_CAPTURED")

        // Text that is not JSON where JSON is expected is refused, and the process goes on.
        do {
            _ = try await client.sessions().create(request: Emulator.sessionRequest(extra: "not json"))
            XCTFail("accepted extra that is not JSON")
        } catch {}
        _ = try await client.sessions().get(sessionId: created.id)
    }

    func testEveryErrorKindArrivesAsOneDinteroErrorWithItsFields() async throws {
        var seen: [ErrorKind: DinteroError] = [:]
        func record(_ e: DinteroError?) { if let e { seen[e.kind()] = e } }
        let oneTry = RetryOptions(maxAttempts: 1)
        let client = try Emulator.client(retry: oneTry, timeout: 0.3)
        let sessionId = try await client.sessions().create(request: Emulator.sessionRequest()).id

        record(await caught { try Client(accountId: "X1", clientId: "id", clientSecret: "very-secret-1") })
        record(await caught { try await Emulator.client(secret: "wrong-secret-2").authenticate() })
        record(await caught { try await client.transactions().get(transactionId: "T12345678.doesnotexist") })
        record(await caught { try await Emulator.client(retry: oneTry, baseUrl: "http://127.0.0.1:9").authenticate() })
        for (fault, ms) in [("status_403", nil), ("status_429", nil), ("status_503", nil), ("delay", 1500), ("malformed_json", nil)] as [(String, Int?)] {
            try await Emulator.fault("get_session", fault, ms: ms)
            record(await caught { try await client.sessions().get(sessionId: sessionId) })
        }
        let txId = try await Emulator.paidTransaction(client)
        let wrong = Callback(transactionId: txId, sessionId: sessionId, merchantReference: "someone-else", time: nil,
                             error: nil, event: nil, eventId: nil, params: [])
        record(await caught { try await client.callbacks().confirm(callback: wrong) })
        let verifier = try CallbackVerifier(secret: Emulator.signatureSecret, accountId: Emulator.accountId)
        record(await caught { try verifier.verifySignature(method: "POST", url: "https://x.example/cb", signatureHeader: "t=1,nonsense") })

        XCTAssertEqual(Set(seen.keys), Set(ErrorKind.allCases))
        for (kind, e) in seen {
            XCTAssertTrue(e.description.hasPrefix(kind.value + ": "), e.description)
            XCTAssertTrue("\(e)".hasPrefix(kind.value + ": "), "\(e)")
            XCTAssertEqual(e.errorDescription, e.description)
            XCTAssertFalse(e.message().isEmpty)
            XCTAssertFalse(e.description.contains("secret"), e.description)
        }
        XCTAssertTrue(seen[.invalidInput]!.message().contains("account_id"))
        XCTAssertEqual(seen[.authentication]?.status(), 401)
        XCTAssertEqual(seen[.permission]?.status(), 403)
        XCTAssertEqual(seen[.notFound]?.status(), 404)
        XCTAssertNotNil(seen[.notFound]?.requestId())
        XCTAssertEqual(seen[.rateLimited]?.status(), 429)
        XCTAssertEqual(seen[.server]?.status(), 503)
        XCTAssertEqual(seen[.conflict]?.code(), "callback_mismatch")
        XCTAssertEqual(seen[.signature]?.code(), "signature_malformed")
        XCTAssertEqual(seen[.server]?.isTransient(), true)
        XCTAssertEqual(seen[.notFound]?.isTransient(), false)
        XCTAssertEqual(seen[.server]?.outcomeUnknown(), false)
    }

    func testAnArgumentLeftOutTakesTheCoresDefault() async throws {
        let tolerance = Int64(defaults().signatureToleranceSeconds)
        let verifier = try CallbackVerifier(secret: Emulator.signatureSecret, accountId: Emulator.accountId)
        let url = "https://shop.example/cb?transaction_id=T12345678.a"
        let ts = Int64(Date().timeIntervalSince1970)
        let header = "t=\(ts),v0-hmac-sha256=" + (try computeSignature(
            secret: Emulator.signatureSecret, accountId: Emulator.accountId, method: "POST", url: url, timestamp: ts))
        try verifier.verifySignature(method: "POST", url: url, signatureHeader: header)
        try verifier.verifySignature(method: "POST", url: url, signatureHeader: header, now: ts + tolerance - 1)
        let late = await caught { try verifier.verifySignature(method: "POST", url: url, signatureHeader: header, now: ts + tolerance + 1) }
        XCTAssertEqual(late?.isAuthenticButLate(), true)
        let forged = await caught { try verifier.verifySignature(method: "POST", url: url + "&x=1", signatureHeader: header) }
        XCTAssertEqual(forged?.isAuthenticButLate(), false)
        let received = try verifier.verifyRequest(method: "POST", pathAndQuery: "/cb?transaction_id=T12345678.a",
                                                  headers: ["Host": "shop.example", "Dintero-Signature": header])
        XCTAssertEqual(received.transactionId, "T12345678.a")
        XCTAssertEqual(try requestUrl(pathAndQuery: "/cb?transaction_id=T12345678.a", headers: ["Host": "shop.example"],
                                      publicUrl: "https://shop.example"), url)
    }

    func testCallsRunConcurrentlyAndACancelledCallStops() async throws {
        let client = try Emulator.client()
        let reference = Emulator.reference("pager")
        let txId = try await Emulator.paidTransaction(client, reference: reference)
        let filter = ListTransactions(limit: 1, startingAfter: nil, merchantReference: reference, sessionId: [], status: [],
                                      createdAtGte: nil, createdAtLte: nil, extra: [])
        var listed: [String] = []
        for try await tx in client.transactions().list(filter: filter).transactions { listed.append(tx.id) }
        XCTAssertEqual(listed, [txId])
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<16 { group.addTask { try await client.transactions().get(transactionId: txId).id } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(ids, Array(repeating: txId, count: 16))

        let unpaid = try await client.sessions().create(request: Emulator.sessionRequest()).id
        let started = Date()
        // uniffi's Swift does not pass a Task's cancellation on to Rust: a cancelled call ends
        // when the Rust future does (here its 1 s timeout), with an error, and nothing leaks.
        let task = Task { try await client.waitForPayment(sessionId: unpaid, interval: 0.1, timeout: 1) }
        try await Task.sleep(nanoseconds: 300_000_000)
        task.cancel()
        let outcome = await task.result
        XCTAssertThrowsError(try outcome.get(), "a cancelled wait ends with an error")
        XCTAssertLessThan(Date().timeIntervalSince(started), 5, "the cancelled call did not end")
        // The Rust side's own timeout is an error of kind timeout, naming the session.
        let e = await caught { try await client.waitForPayment(sessionId: unpaid, interval: 0.1, timeout: 0.2) }
        XCTAssertEqual(e?.kind(), .timeout)
        XCTAssertTrue(e?.message().contains(unpaid) ?? false, e?.message() ?? "")
        let again = try await client.transactions().get(transactionId: txId)
        XCTAssertEqual(again.id, txId, "the client still works after a cancellation")
    }

    func testNoSecretInAnyDescription() throws {
        let client = try Client(accountId: Emulator.accountId, clientId: "id", clientSecret: "sw-client-secret-1",
                                proxy: "http://user:proxy-password@127.0.0.1:3128")
        let verifier = try CallbackVerifier(secret: "sw-signature-secret-2", accountId: Emulator.accountId)
        for shown in [String(describing: client), String(reflecting: client), "\(verifier)", String(reflecting: verifier)] {
            XCTAssertFalse(shown.contains("sw-client-secret-1") || shown.contains("proxy-password")
                           || shown.contains("sw-signature-secret-2"), shown)
        }
        XCTAssertTrue(String(describing: client).contains(Emulator.accountId), String(describing: client))
    }
}
