import Foundation
import XCTest
@testable import DinteroCheckout

final class SessionsAndListingTests: XCTestCase {
    func testGetUpdateCancel() async throws {
        let client = try Emulator.client()
        let reference = Emulator.reference("sess")
        let created = try await client.sessions().create(
            request: Emulator.sessionRequest(try Emulator.chairOrder(reference)), includeSession: true)
        XCTAssertEqual(created.session?.id, created.id, "includeSession returns the session")

        let session = try await client.sessions().get(sessionId: created.id)
        XCTAssertEqual(session.order?.amount, 33890)
        XCTAssertEqual(session.order?.merchantReference, reference)
        XCTAssertNil(session.transactionId)
        XCTAssertEqual(session.url?.returnUrl, "https://shop.example/return")

        let cheaper = try buildOrder(
            currency: "NOK", merchantReference: reference,
            items: [OrderItem(lineId: "1", amount: 9990, description: "Stool", vat: 25, vatAmount: 1998)],
            shippingOption: session.order?.shippingOption)
        let updated = try await client.sessions().update(sessionId: created.id, order: cheaper, updateWithoutLock: true)
        XCTAssertEqual(updated.order?.amount, 9990 + 3900)

        let cancelled = try await client.sessions().cancel(sessionId: created.id)
        XCTAssertNotNil(cancelled.cancelledAt)
        XCTAssertTrue(cancelled.json.contains("cancelled_at"))
    }

    func testCreateAndUpdateFromJson() async throws {
        let client = try Emulator.client()
        let json = """
        {"url": {"return_url": "https://shop.example/return"},
         "order": {"amount": 29990, "currency": "NOK", "merchant_reference": "\(Emulator.reference("json"))",
           "items": [{"line_id": "1", "description": "Chair", "quantity": 1, "amount": 29990, "vat": 25, "vat_amount": 5998}]},
         "profile_id": "default", "metadata": {"shop": "swift-test"}}
        """
        let created = try await client.sessions().createJson(json: json)
        let session = try await client.sessions().get(sessionId: created.id)
        XCTAssertEqual(session.order?.amount, 29990)
        let after = try await client.sessions().updateJson(
            sessionId: created.id,
            json: #"{"order": {"amount": 100, "currency": "NOK", "merchant_reference": "x", "items": [{"line_id": "a", "amount": 100}]}}"#,
            updateWithoutLock: true)
        XCTAssertEqual(after.order?.amount, 100)
    }

    func testListingWalksEveryPage() async throws {
        let client = try Emulator.client()
        let reference = Emulator.reference("list")
        var ids = Set<String>()
        for _ in 0..<3 { ids.insert(try await Emulator.paidTransaction(client, reference: reference)) }

        let pager = try client.transactions().list(filter: TransactionFilter(limit: 2, merchantReference: reference))
        let maybeFirst = try await pager.nextPage()
        let firstPage = try XCTUnwrap(maybeFirst)
        XCTAssertEqual(firstPage.count, 2, "pages have the requested size")
        let rest = try await pager.collectAll()
        XCTAssertEqual(Set((firstPage + rest).map(\.id)), ids)
        let end = try await pager.next()
        XCTAssertNil(end, "the pager is exhausted")

        var streamed: [Transaction] = []
        let filter = TransactionFilter(limit: 1, merchantReference: reference, statuses: [.authorized])
        for try await tx in try client.transactions().list(filter: filter).transactions {
            streamed.append(tx)
        }
        XCTAssertEqual(Set(streamed.map(\.id)), ids)
        XCTAssertTrue(streamed.allSatisfy { $0.merchantReference == reference })
    }

    func testConcurrentCallsShareOneToken() async throws {
        let client = try Emulator.client()
        let created = try await client.sessions().create(request: Emulator.sessionRequest(try Emulator.chairOrder()))
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 {
                group.addTask { try await client.sessions().get(sessionId: created.id).id }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        XCTAssertEqual(ids, Array(repeating: created.id, count: 8))
        XCTAssertEqual(client.tokenRequests(), 1)
        let count = try await client.authenticate()
        XCTAssertEqual(count, 1, "authenticate reuses the cached token")
    }
}
