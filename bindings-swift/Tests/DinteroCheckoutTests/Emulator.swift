import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
@testable import DinteroCheckout

/// The local Dintero the tests run against: `DINTERO_EMULATOR_URL` when the test script started
/// one, else the `dintero-emulator` binary at `DINTERO_EMULATOR_BIN`, started here as a child
/// process and stopped when the test process exits.
enum Emulator {
    static let accountId = "T12345678"
    static let clientId = "emulator-client-id"
    static let clientSecret = "emulator-client-secret"
    static let signatureSecret = "emulator-signature-secret"
    static let approve = "4000 0000 0000 0002"
    static let decline = "4100 0000 0000 0076"

    static let baseUrl: String = {
        if let url = ProcessInfo.processInfo.environment["DINTERO_EMULATOR_URL"], !url.isEmpty {
            return url.hasSuffix("/") ? String(url.dropLast()) : url
        }
        return spawn()
    }()

    private static var child: Process?

    private static func spawn() -> String {
        guard let bin = ProcessInfo.processInfo.environment["DINTERO_EMULATOR_BIN"] else {
            fatalError("set DINTERO_EMULATOR_URL or DINTERO_EMULATOR_BIN")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: bin)
        process.arguments = ["--listen", "127.0.0.1:0", "--quiet"]
        let pipe = Pipe()
        process.standardOutput = pipe
        // Not our stderr: a child that outlived us would keep `swift test`'s pipe open.
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { fatalError("cannot start \(bin): \(error)") }
        child = process
        // SIGKILL: the child inherits the test process's blocked signal mask, so SIGTERM
        // would stay pending.
        atexit { if let pid = Emulator.child?.processIdentifier { kill(pid, SIGKILL) } }
        var buffer = Data()
        let handle = pipe.fileHandleForReading
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { fatalError("the emulator exited before printing base_url") }
            buffer.append(chunk)
            let text = String(decoding: buffer, as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("base_url=") }) {
                return String(line.dropFirst("base_url=".count))
            }
        }
    }

    static func client(
        retry: RetryOptions? = RetryOptions(initialBackoff: 0.01, maxBackoff: 0.05),
        timeout: TimeInterval? = nil,
        secret: String = clientSecret
    ) throws -> DinteroClient {
        try DinteroClient(
            accountId: accountId, clientId: clientId, clientSecret: secret,
            options: ClientOptions(baseUrl: baseUrl, timeout: timeout, retry: retry)
        )
    }

    private static let counter = Counter()

    /// A merchant reference no other test uses.
    static func reference(_ prefix: String = "swift") -> String {
        "\(prefix)-\(UInt64(Date().timeIntervalSince1970 * 1_000_000))-\(counter.next())"
    }

    static func chairOrder(_ reference: String = reference()) throws -> Order {
        try buildOrder(
            currency: "NOK", merchantReference: reference,
            items: [OrderItem(lineId: "1", amount: 29990, id: "chair", description: "Chair", quantity: 1, vat: 25, vatAmount: 5998)],
            shippingOption: ShippingOption(id: "pickup", lineId: "ship", amount: 3900, title: "Pick-up", vat: 25, vatAmount: 780)
        )
    }

    static func sessionRequest(_ order: Order) -> SessionRequest {
        SessionRequest(
            url: SessionUrls(returnUrl: "https://shop.example/return", callbackUrl: "http://127.0.0.1:9/cb"),
            order: order,
            profileId: "default"
        )
    }

    // MARK: the control API

    static func request(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> (Int, Any) {
        var req = URLRequest(url: URL(string: baseUrl + path)!)
        req.httpMethod = method
        req.timeoutInterval = 30
        if let body {
            req.setValue("application/json", forHTTPHeaderField: "content-type")
            req.httpBody = try JSONSerialization.data(withJSONObject: body)
        }
        let (data, response): (Data, URLResponse) = try await withCheckedThrowingContinuation { cont in
            URLSession.shared.dataTask(with: req) { data, response, error in
                if let error { cont.resume(throwing: error) } else { cont.resume(returning: (data ?? Data(), response!)) }
            }.resume()
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let json = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        return (status, json)
    }

    /// The customer pays on the hosted page; returns the URL the browser is sent back to.
    static func pay(_ sessionId: String, card: String = approve) async throws -> String {
        let (status, json) = try await request("POST", "/_emulator/sessions/\(sessionId)/pay", ["card_number": card])
        XCTAssertEqual(status, 200, "\(json)")
        return (json as! [String: Any])["redirect_url"] as! String
    }

    /// The customer cancels on the hosted page.
    static func cancelPayment(_ sessionId: String) async throws -> String {
        let (status, json) = try await request("POST", "/_emulator/sessions/\(sessionId)/pay", ["cancel": true])
        XCTAssertEqual(status, 200, "\(json)")
        return (json as! [String: Any])["redirect_url"] as! String
    }

    /// Makes the next `times` requests to `route` fail with `fault`.
    static func fault(_ route: String, _ fault: String, times: Int = 1, ms: Int? = nil) async throws {
        var body: [String: Any] = ["route": route, "fault": fault, "times": times]
        if let ms { body["ms"] = ms }
        let (status, json) = try await request("POST", "/_emulator/faults", body)
        XCTAssertEqual(status, 200, "\(json)")
    }

    /// Disarms every fault that has not fired yet.
    static func clearFaults() async throws {
        let (status, json) = try await request("DELETE", "/_emulator/faults")
        XCTAssertEqual(status, 200, "\(json)")
    }

    /// Waits for the callback the emulator sent about `transactionId`.
    static func callback(for transactionId: String) async throws -> [String: Any] {
        for _ in 0..<200 {
            let (_, json) = try await request("GET", "/_emulator/callbacks")
            // Headers are filled in when the first delivery attempt is made.
            for case let cb as [String: Any] in json as! [Any]
            where (cb["url"] as! String).contains("transaction_id=\(transactionId)") && isSigned(cb) {
                return cb
            }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        throw NSError(domain: "emulator", code: 1, userInfo: [NSLocalizedDescriptionKey: "no callback for \(transactionId)"])
    }

    static func isSigned(_ delivery: [String: Any]) -> Bool {
        ((delivery["headers"] as? [String: String]) ?? [:]).keys.contains { $0.lowercased() == "dintero-signature" }
    }

    /// Pays a fresh session and returns its transaction id.
    static func paidTransaction(_ client: DinteroClient, reference: String = reference()) async throws -> String {
        let created = try await client.sessions().create(request: sessionRequest(try chairOrder(reference)))
        let returned = try parseReturnUrl(url: try await pay(created.id))
        return try XCTUnwrap(returned.transactionId)
    }
}

final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func next() -> Int {
        lock.lock(); defer { lock.unlock() }
        value += 1
        return value
    }
}

struct NoErrorThrown: Error {}

/// Expects `body` to throw a `DinteroError` and returns it (fails the test otherwise).
func expectDinteroError<T>(
    _ body: @autoclosure () async throws -> T, file: StaticString = #filePath, line: UInt = #line
) async throws -> DinteroError {
    do {
        _ = try await body()
    } catch let e as DinteroError {
        return e
    } catch {
        XCTFail("expected a DinteroError, got \(error)", file: file, line: line)
        throw error
    }
    XCTFail("expected a DinteroError", file: file, line: line)
    throw NoErrorThrown()
}
