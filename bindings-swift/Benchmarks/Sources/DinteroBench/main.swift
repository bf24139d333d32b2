// Benchmark harness (prints figures; asserts nothing about speed).
import DinteroCheckout
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

func report(_ name: String, _ samples: [UInt64]) {
    let s = samples.sorted()
    let mean = Double(s.reduce(0, +)) / Double(s.count) / 1000
    let p50 = Double(s[s.count / 2]) / 1000, p99 = Double(s[s.count * 99 / 100]) / 1000
    print(String(format: "%@ n=%d mean %.1f µs  p50 %.1f µs  p99 %.1f µs",
                 name.padding(toLength: 42, withPad: " ", startingAt: 0), s.count, mean, p50, p99))
}

func post(_ url: String, _ body: [String: Any]) async throws -> [String: Any] {
    var req = URLRequest(url: URL(string: url)!)
    req.httpMethod = "POST"
    req.setValue("application/json", forHTTPHeaderField: "content-type")
    req.httpBody = try JSONSerialization.data(withJSONObject: body)
    let data: Data = try await withCheckedThrowingContinuation { cont in
        URLSession.shared.dataTask(with: req) { d, _, e in
            if let e { cont.resume(throwing: e) } else { cont.resume(returning: d ?? Data()) }
        }.resume()
    }
    return try JSONSerialization.jsonObject(with: data) as! [String: Any]
}

guard let base = ProcessInfo.processInfo.environment["DINTERO_EMULATOR_URL"] else { fatalError("set DINTERO_EMULATOR_URL") }
let client = try Client(accountId: "T12345678", clientId: "emulator-client-id", clientSecret: "emulator-client-secret",
                        baseUrl: base)
let order = Order(amount: 10000, currency: "NOK", merchantReference: "bench-\(now())",
                  items: [OrderItem(lineId: "1", amount: 10000, vatAmount: 2000, vat: 25, extra: "{}")], extra: "{}")
let session = try await client.sessions().create(request: SessionRequest(
    url: SessionUrls(returnUrl: "https://shop.example/return", extra: "{}"), order: order, profileId: "default", extra: "{}"))
// The emulator's first test card ("approve"), from its catalog.
let catalogData: Data = try await withCheckedThrowingContinuation { cont in
    URLSession.shared.dataTask(with: URL(string: "\(base)/_emulator/catalog")!) { d, _, e in
        if let e { cont.resume(throwing: e) } else { cont.resume(returning: d ?? Data()) }
    }.resume()
}
let card = ((try JSONSerialization.jsonObject(with: catalogData) as! [String: Any])["cards"] as! [[String: Any]])[0]["number"] as! String
let redirect = try await post("\(base)/_emulator/sessions/\(session.id)/pay", ["card_number": card])["redirect_url"] as! String
let txId = try parseReturnUrl(url: redirect).transactionId!

print("Swift over uniffi (release library and harness), emulator at \(base)")
for _ in 0..<20_000 { _ = try parseReturnUrl(url: redirect) }
for _ in 0..<300 { _ = try await client.transactions().get(transactionId: txId) }

var samples: [UInt64] = []
for _ in 0..<100_000 { let t = now(); _ = try parseReturnUrl(url: redirect); samples.append(now() - t) }
report("parseReturnUrl (FFI round trip, no I/O)", samples)
samples = []
for _ in 0..<50_000 {
    let t = now()
    _ = try computeSignature(secret: "secret", accountId: "T12345678", method: "GET", url: redirect, timestamp: 1_700_000_000)
    samples.append(now() - t)
}
report("computeSignature (HMAC-SHA256)", samples)
samples = []
for _ in 0..<2_000 { let t = now(); _ = try await client.transactions().get(transactionId: txId); samples.append(now() - t) }
report("transactions().get (HTTP, sequential)", samples)

let workers = 8, perWorker = 500
let t0 = now()
try await withThrowingTaskGroup(of: Void.self) { group in
    for _ in 0..<workers {
        group.addTask { for _ in 0..<perWorker { _ = try await client.transactions().get(transactionId: txId) } }
    }
    try await group.waitForAll()
}
let seconds = Double(now() - t0) / 1e9
print(String(format: "%@ %d calls in %.2f s = %.0f calls/s", "transactions().get (8 concurrent)".padding(toLength: 42, withPad: " ", startingAt: 0),
             workers * perWorker, seconds, Double(workers * perWorker) / seconds))
print("token requests: \(client.tokenRequests())")
