// A Swift shop on Dintero Checkout with the framework-neutral receiver: whatever serves HTTP
// (Vapor, Hummingbird, a Lambda) hands `Shop.callback(...)` the request's method, path and query,
// and headers, and answers with the status and body it returns. Checkout sends the customer to
// Dintero, "ship" captures, "return" refunds.
//
//   DINTERO_EMULATOR_URL=http://127.0.0.1:8400 swift run Shop   (see Package.swift for linker flags)
//
// The story below plays the customer and Dintero against the emulator. The shop's public URL is
// https://shop.example, which the emulator cannot reach: its signed callback is handed to the
// shop as the shop's proxy passes it on (an internal Host, the public one in X-Forwarded-*).
import DinteroCheckout
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

struct ShopOrder { let reference: String; let amount: Int64; var state = "awaiting payment"; var transactionId: String? }

actor Shop {
    let client: Client
    let verifier: CallbackVerifier
    let publicUrl: String
    private(set) var orders: [String: ShopOrder] = [:]

    init(client: Client, verifier: CallbackVerifier, publicUrl: String) {
        self.client = client; self.verifier = verifier; self.publicUrl = publicUrl
    }

    /// POST /checkout: a session for one chair; redirect the customer to the URL returned.
    func checkout() async throws -> String {
        let reference = "swift-shop-\(Int(Date().timeIntervalSince1970 * 1000))"
        orders[reference] = ShopOrder(reference: reference, amount: 29990)
        let session = try await client.sessions().create(request: SessionRequest(
            url: SessionUrls(returnUrl: "\(publicUrl)/return", callbackUrl: "\(publicUrl)/dintero/callback", extra: "{}"),
            order: Order(amount: 29990, currency: "NOK", merchantReference: reference, vatAmount: 5998,
                         items: [OrderItem(id: "chair", lineId: "1", description: "Chair", quantity: 1, amount: 29990,
                                           vatAmount: 5998, vat: 25, extra: "{}")],
                         extra: "{}"),
            profileId: "default", extra: "{}"))
        return session.url ?? ""
    }

    /// GET or POST /dintero/callback: the receipt decides the answer; fulfil only a confirmed,
    /// paid one (idempotently: Dintero may deliver a callback more than once).
    func callback(method: String, pathAndQuery: String, headers: [String: String]) async -> (status: UInt16, body: String) {
        let receipt = await client.callbacks().receive(verifier: verifier, method: method, pathAndQuery: pathAndQuery,
                                                        headers: headers, publicUrl: nil, trustProxy: true)
        if receipt.outcome == .confirmed, let tx = receipt.transaction, tx.isPaid,
           orders[tx.merchantReference]?.state == "awaiting payment" {
            orders[tx.merchantReference]?.state = "paid"
            orders[tx.merchantReference]?.transactionId = tx.id
        }
        return (receipt.status, "{\"outcome\":\"\(receipt.outcome)\",\"reason\":\"\(receipt.reason)\"}")
    }

    /// POST /orders/{reference}/ship: capture the whole amount (exactly once, by its reference).
    func ship(_ reference: String) async throws -> String {
        guard let order = orders[reference], let tx = order.transactionId, order.state == "paid" else { return "not paid" }
        _ = try await client.transactions().capture(
            transactionId: tx, request: CaptureRequest(amount: order.amount, captureReference: "\(reference)-ship", extra: "{}"))
        orders[reference]?.state = "shipped"
        return "shipped"
    }

    /// POST /orders/{reference}/return: refund the whole amount.
    func giveBack(_ reference: String) async throws -> String {
        guard let order = orders[reference], let tx = order.transactionId, order.state == "shipped" else { return "not shipped" }
        _ = try await client.transactions().refund(
            transactionId: tx,
            request: RefundRequest(amount: order.amount, refundReference: "\(reference)-return", reason: "returned", extra: "{}"))
        orders[reference]?.state = "refunded"
        return "refunded"
    }
}

/// The emulator's control API (the customer's browser and Dintero's delivery, played here).
func emulator(_ base: String, _ path: String, post body: [String: String]? = nil) async throws -> Any {
    var request = URLRequest(url: URL(string: base + path)!)
    if let body {
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "content-type")
        request.httpBody = try JSONEncoder().encode(body)
    }
    return try await withCheckedThrowingContinuation { done in
        URLSession.shared.dataTask(with: request) { data, _, error in
            done.resume(with: Result { if let error { throw error }; return try JSONSerialization.jsonObject(with: data ?? Data()) })
        }.resume()
    }
}

func story() async throws {
    guard let base = ProcessInfo.processInfo.environment["DINTERO_EMULATOR_URL"] else {
        FileHandle.standardError.write(Data("set DINTERO_EMULATOR_URL (start one: cargo run -p dintero-emulator)\n".utf8))
        exit(2)
    }
    let client = try Client(accountId: "T12345678", clientId: "emulator-client-id", clientSecret: "emulator-client-secret",
                            baseUrl: base, systemName: "swift-shop", systemVersion: "1.0")
    let verifier = try CallbackVerifier(secret: "emulator-signature-secret", accountId: "T12345678")
    let shop = Shop(client: client, verifier: verifier, publicUrl: "https://shop.example")

    let sessionUrl = try await shop.checkout()
    print("customer: sent to \(sessionUrl)")
    let cards = (try await emulator(base, "/_emulator/catalog") as! [String: Any])["cards"] as! [[String: Any]]
    let sessionId = String(sessionUrl.split(separator: "/").last ?? "")
    let paid = try await emulator(base, "/_emulator/sessions/\(sessionId)/pay", post: ["card_number": cards[0]["number"] as! String])
    let txId = (paid as! [String: Any])["transaction_id"] as! String
    print("customer: paid, transaction \(txId)")

    var signed: (url: URL, headers: [String: String])?
    for _ in 0..<200 where signed == nil {
        for case let d as [String: Any] in try await emulator(base, "/_emulator/callbacks") as! [Any] {
            let headers = d["headers"] as? [String: String] ?? [:]
            if (d["url"] as! String).contains(txId), headers.keys.contains(where: { $0.lowercased() == "dintero-signature" }) {
                signed = (URL(string: d["url"] as! String)!, headers)
            }
        }
        if signed == nil { try await Task.sleep(nanoseconds: 50_000_000) }
    }
    guard let (url, headers) = signed else { throw CocoaError(.fileNoSuchFile) }
    var proxied = headers
    proxied["Host"] = "10.0.0.7:8080"
    proxied["X-Forwarded-Host"] = url.host
    proxied["X-Forwarded-Proto"] = url.scheme
    let answer = await shop.callback(method: "GET", pathAndQuery: url.path + "?" + (url.query ?? ""), headers: proxied)
    print("dintero: callback answered \(answer.status) \(answer.body)")
    guard answer.status == 200, let reference = await shop.orders.first(where: { $0.value.transactionId == txId })?.key else {
        throw CocoaError(.featureUnsupported)
    }
    print("shop: ship -> \(try await shop.ship(reference))")
    print("shop: return -> \(try await shop.giveBack(reference))")
    let tx = try await client.transactions().get(transactionId: txId, includes: [])
    print("dintero: transaction \(tx.id) is \(tx.status?.value ?? "-")")
    guard await shop.orders[reference]?.state == "refunded", tx.status?.value == "REFUNDED" else { throw CocoaError(.featureUnsupported) }
    print("done")
}

do {
    try await story()
} catch {
    FileHandle.standardError.write(Data("shop example failed: \(error)\n".utf8))
    exit(1)
}
