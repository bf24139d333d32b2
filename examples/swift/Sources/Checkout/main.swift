// The Dintero checkout flow in Swift, against the local emulator.
//
//   DINTERO_EMULATOR_URL=http://127.0.0.1:8400 swift run   (see Package.swift for linker flags)
//
// A backend creates the session and, after payment, verifies and confirms the callback and
// captures. The app in between only opens the session URL and reads its return_url with
// parseReturnUrl: it never holds the client secret.
import DinteroCheckout
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

func env(_ name: String, _ fallback: String) -> String {
    ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 } ?? fallback
}

/// The emulator's control API plays the customer (a browser or web view in a real app).
func control(_ method: String, _ url: String, _ body: [String: Any]? = nil) async throws -> Any {
    var req = URLRequest(url: URL(string: url)!)
    req.httpMethod = method
    if let body {
        req.setValue("application/json", forHTTPHeaderField: "content-type")
        req.httpBody = try JSONSerialization.data(withJSONObject: body)
    }
    let data: Data = try await withCheckedThrowingContinuation { cont in
        URLSession.shared.dataTask(with: req) { data, _, error in
            if let error { cont.resume(throwing: error) } else { cont.resume(returning: data ?? Data()) }
        }.resume()
    }
    return try JSONSerialization.jsonObject(with: data)
}

func run() async throws {
    guard let base = ProcessInfo.processInfo.environment["DINTERO_EMULATOR_URL"] else {
        FileHandle.standardError.write(Data("set DINTERO_EMULATOR_URL (start one: cargo run -p dintero-emulator)\n".utf8))
        exit(2)
    }

    // --- backend ---------------------------------------------------------------------------
    let client = try Client(
        accountId: env("DINTERO_ACCOUNT_ID", "T12345678"),
        clientId: env("DINTERO_CLIENT_ID", "emulator-client-id"),
        clientSecret: env("DINTERO_CLIENT_SECRET", "emulator-client-secret"),
        baseUrl: base, systemName: "swift-example", systemVersion: "1.0"
    )
    let orderId = "swift-example-\(Int(Date().timeIntervalSince1970 * 1000))"
    let order = Order(
        amount: 29990, currency: "NOK", merchantReference: orderId, vatAmount: 5998,
        items: [OrderItem(id: "chair", lineId: "1", description: "Chair", quantity: 1, amount: 29990, vatAmount: 5998, vat: 25, extra: "{}")],
        extra: "{}")
    try validateOrder(order: order)
    let session = try await client.sessions().create(request: SessionRequest(
        url: SessionUrls(returnUrl: "https://shop.example/return", callbackUrl: "http://127.0.0.1:9/dintero/callback", extra: "{}"),
        order: order, profileId: "default", extra: "{}"))
    print("session \(session.id): send the customer to \(session.url ?? "(no url)")")

    // --- app: the customer pays on the hosted page, the browser returns to return_url ------
    let catalog = try await control("GET", "\(base)/_emulator/catalog") as! [String: Any]
    let card = (catalog["cards"] as! [[String: Any]])[0]
    let paid = try await control("POST", "\(base)/_emulator/sessions/\(session.id)/pay", ["card_number": card["number"] as! String])
    let redirect = (paid as! [String: Any])["redirect_url"] as! String
    let returned = try parseReturnUrl(url: redirect)
    print("app: paid with the \(card["name"]!) test card; back with \(returned.outcome), transaction \(returned.transactionId ?? "-")")
    guard returned.outcome == .completed, let txId = returned.transactionId else { throw CocoaError(.featureUnsupported) }

    // --- backend: the signed callback arrives; verify it, confirm it, capture ----------------
    var delivery: [String: Any]?
    for _ in 0..<100 where delivery == nil {
        let list = try await control("GET", "\(base)/_emulator/callbacks") as! [[String: Any]]
        // Wait for the first delivery attempt: it carries the Dintero-Signature header.
        delivery = list.first {
            ($0["url"] as! String).contains("transaction_id=\(txId)")
                && (($0["headers"] as? [String: String]) ?? [:]).keys.contains { $0.lowercased() == "dintero-signature" }
        }
        if delivery == nil { try await Task.sleep(nanoseconds: 50_000_000) }
    }
    guard let cb = delivery else { throw CocoaError(.fileNoSuchFile) }
    let verifier = try CallbackVerifier(secret: env("DINTERO_SIGNATURE_SECRET", "emulator-signature-secret"),
                                        accountId: client.accountId())
    let callback = try verifier.verify(method: cb["method"] as! String, url: cb["url"] as! String,
                                       headers: cb["headers"] as! [String: String])
    let confirmed = try await client.callbacks().confirm(callback: callback)
    print("backend: callback verified; transaction is \(confirmed.transaction.status?.value ?? "(no status)") (\(confirmed.transaction.amount) øre)")
    guard confirmed.transaction.isPaid else { throw CocoaError(.featureUnsupported) }

    let capture = try await client.transactions().capture(
        transactionId: txId,
        request: CaptureRequest(amount: confirmed.transaction.amount, captureReference: "\(orderId)-capture", extra: "{}"))
    print("backend: captured \(capture.transaction.capturedAmount) with reference \(capture.reference ?? "-"): \(capture.transaction.status?.value ?? "(no status)")")

    do {
        _ = try await client.transactions().capture(transactionId: txId, request: CaptureRequest(amount: 1, extra: "{}"))
    } catch let e as DinteroError {
        print("backend: capturing more is refused as expected: \(e.kind().value) (\(e))")
    }
    print("done")
}

do {
    try await run()
} catch {
    FileHandle.standardError.write(Data("example failed: \(error)\n".utf8))
    exit(1)
}
