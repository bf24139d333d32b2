import Foundation
import XCTest
@testable import DinteroCheckout

final class ErrorsTests: XCTestCase {
    func testNotFoundCarriesStatusAndRequestId() async throws {
        let client = try Emulator.client()
        let e = try await expectDinteroError(try await client.transactions().get(transactionId: "T12345678.doesnotexist"))
        guard case .NotFound = e else { return XCTFail("expected NotFound, got \(e)") }
        XCTAssertEqual(e.kind, .notFound)
        XCTAssertEqual(e.kind.value, "not_found")
        XCTAssertEqual(e.status, 404)
        XCTAssertNotNil(e.requestId, "Dintero's request id is kept")
        XCTAssertTrue(e.description.hasPrefix("not_found: "), e.description)
        XCTAssertTrue("\(e)".hasPrefix("not_found: "), "\(e)")
        XCTAssertTrue(e.localizedDescription.contains("status 404"), e.localizedDescription)
    }

    func testBadInputNamesTheField() async throws {
        let client = try Emulator.client()
        var order = try Emulator.chairOrder()
        order = Order(amount: 1, currency: order.currency, merchantReference: order.merchantReference,
                      items: order.items, shippingOption: order.shippingOption)
        let e = try await expectDinteroError(try await client.sessions().create(request: Emulator.sessionRequest(order)))
        XCTAssertEqual(e.kind, .invalidInput)
        XCTAssertTrue(e.detail.contains("order.amount"), e.detail)
        XCTAssertNil(e.status, "refused before any request")

        let badId = try await expectDinteroError(try await client.transactions().get(transactionId: "not an id/../"))
        XCTAssertTrue(badId.detail.contains("transaction_id"), badId.detail)

        let badJson = try await expectDinteroError(try await client.sessions().createJson(json: "{not json"))
        XCTAssertTrue(badJson.detail.contains("session"), badJson.detail)

        let badFilter = try await expectDinteroError(try client.transactions().list(filter: TransactionFilter(limit: -5)))
        XCTAssertTrue(badFilter.detail.contains("filter.limit"), badFilter.detail)

        let chair = try Emulator.chairOrder()
        let twice = Order(amount: chair.amount, currency: "NOK", merchantReference: "o", items: chair.items + chair.items)
        let badLine = try await expectDinteroError(try validateOrder(order: twice))
        XCTAssertTrue(badLine.detail.contains("order.items[1].line_id"), badLine.detail)
    }

    func testSettingsAreCheckedAndSecretsNeverShow() async throws {
        let secret = "swift-super-secret-value"
        let bad = try await expectDinteroError(try DinteroClient(accountId: "X123", clientId: "id", clientSecret: secret))
        XCTAssertEqual(bad.kind, .invalidInput)
        XCTAssertTrue(bad.detail.contains("account_id"), bad.detail)
        XCTAssertFalse(bad.description.contains(secret))
        XCTAssertFalse(String(reflecting: bad).contains(secret))
        XCTAssertFalse(bad.localizedDescription.contains(secret))

        let http = try await expectDinteroError(
            try DinteroClient(accountId: "T12345678", clientId: "id", clientSecret: secret, options: ClientOptions(baseUrl: "http://example.com")))
        XCTAssertTrue(http.detail.contains("base_url"), http.detail)

        let client = try DinteroClient(accountId: "T12345678", clientId: "id", clientSecret: secret,
                                       proxy: "http://user:proxy-password@127.0.0.1:3128")
        for shown in [String(describing: client), String(reflecting: client), "\(client)"] {
            XCTAssertTrue(shown.contains("T12345678"), shown)
            XCTAssertFalse(shown.contains(secret), shown)
            XCTAssertFalse(shown.contains("proxy-password"), shown)
        }
        let verifier = try CallbackVerifier(secret: "signature-secret-xyz", accountId: "T12345678")
        XCTAssertFalse(String(reflecting: verifier).contains("signature-secret-xyz"))
    }

    func testWrongCredentialsAreAuthentication() async throws {
        let client = try Emulator.client(secret: "wrong-secret-123")
        let e = try await expectDinteroError(try await client.authenticate())
        XCTAssertEqual(e.kind, .authentication)
        XCTAssertEqual(e.status, 401)
        XCTAssertFalse(e.description.contains("wrong-secret-123"))
    }

    func testTransientFailuresAreRetriedThenReported() async throws {
        let client = try Emulator.client()
        let created = try await client.sessions().create(request: Emulator.sessionRequest(try Emulator.chairOrder()))
        try await Emulator.fault("get_session", "status_503", times: 2)
        let again = try await client.sessions().get(sessionId: created.id)
        XCTAssertEqual(again.id, created.id, "two 503s, then success")

        let noRetry = try Emulator.client(retry: RetryOptions(maxAttempts: 1))
        try await Emulator.fault("get_session", "status_500")
        let e = try await expectDinteroError(try await noRetry.sessions().get(sessionId: created.id))
        XCTAssertEqual(e.kind, .server)
        XCTAssertEqual(e.status, 500)
        XCTAssertTrue(e.isTransient)
    }

    func testSlowAnswerIsATimeout() async throws {
        let created = try await Emulator.client().sessions().create(request: Emulator.sessionRequest(try Emulator.chairOrder()))
        let client = try Emulator.client(retry: RetryOptions(maxAttempts: 1), timeout: 0.2)
        try await Emulator.fault("get_session", "delay", ms: 1500)
        let e = try await expectDinteroError(try await client.sessions().get(sessionId: created.id))
        XCTAssertEqual(e.kind, .timeout)
    }

    func testClosedPortIsANetworkError() async throws {
        let client = try DinteroClient(
            accountId: Emulator.accountId, clientId: Emulator.clientId, clientSecret: Emulator.clientSecret,
            options: ClientOptions(baseUrl: "http://127.0.0.1:9", retry: RetryOptions(maxAttempts: 1)))
        let e = try await expectDinteroError(try await client.authenticate())
        XCTAssertEqual(e.kind, .network)
    }

    func testEveryKindHasItsName() {
        XCTAssertEqual(ErrorKind.allCases.map(\.value), [
            "invalid_input", "authentication", "permission", "not_found", "conflict", "rate_limited",
            "server", "network", "timeout", "decode", "signature",
        ])
    }
}
