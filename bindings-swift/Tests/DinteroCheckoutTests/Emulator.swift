import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
@testable import DinteroCheckout

/// The local Dintero the tests run against: `DINTERO_EMULATOR_URL` when the test script started
/// one, else the `dintero-emulator` binary at `DINTERO_EMULATOR_BIN`, started here as a child
/// process and stopped when the test process exits. Test cards and fault kinds come from the
/// emulator's own catalog (`GET /_emulator/catalog`).
enum Emulator {
    static let accountId = "T12345678"
    static let clientId = "emulator-client-id"
    static let clientSecret = "emulator-client-secret"
    static let signatureSecret = "emulator-signature-secret"

    /// The repository's testdata directory (surface.json, scenario.json).
    static let testdata = packageRoot.deletingLastPathComponent().appendingPathComponent("testdata")
    /// bindings-swift, found from this file's path.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

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
        secret: String = clientSecret,
        baseUrl: String = baseUrl
    ) throws -> Client {
        try Client(accountId: accountId, clientId: clientId, clientSecret: secret, baseUrl: baseUrl,
                   timeout: timeout, retry: retry)
    }

    private static let counter = Counter()

    /// A merchant reference no other test uses.
    static func reference(_ prefix: String = "swift") -> String {
        "\(prefix)-\(UInt64(Date().timeIntervalSince1970 * 1_000_000))-\(counter.next())"
    }

    static func sessionRequest(reference: String = reference(), extra: String = "{}") -> SessionRequest {
        SessionRequest(
            url: SessionUrls(returnUrl: "https://shop.example/return", callbackUrl: "http://127.0.0.1:9/cb", extra: "{}"),
            order: Order(amount: 29990, currency: "NOK", merchantReference: reference, vatAmount: 5998,
                         items: [OrderItem(id: "chair", lineId: "1", description: "Chair", quantity: 1, amount: 29990,
                                           vatAmount: 5998, vat: 25, extra: "{}")],
                         extra: "{}"),
            profileId: "default",
            extra: extra
        )
    }

    // MARK: the control API

    static func request(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> Any {
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
        let json = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 200 else { throw ControlError(text: "\(method) \(path): \(status) \(json)") }
        return json
    }

    /// The catalog's test cards (name → number) and fault kinds.
    static func catalog() async throws -> (cards: [String: String], faults: Set<String>) {
        let json = try await request("GET", "/_emulator/catalog") as! [String: Any]
        let cards = (json["cards"] as! [[String: Any]]).map { ($0["name"] as! String, $0["number"] as! String) }
        let faults = (json["faults"] as! [[String: Any]]).map { $0["name"] as! String }
        return (Dictionary(uniqueKeysWithValues: cards), Set(faults))
    }

    /// The customer pays on the hosted page with the catalog's card `card`.
    static func pay(_ sessionId: String, card: String = "approve") async throws -> [String: Any] {
        guard let number = try await catalog().cards[card] else { throw ControlError(text: "no card \(card) in the catalog") }
        return try await request("POST", "/_emulator/sessions/\(sessionId)/pay", ["card_number": number]) as! [String: Any]
    }

    /// Makes the next `times` requests to `route` fail with `fault` (a kind from the catalog).
    static func fault(_ route: String, _ fault: String, times: Int = 1, ms: Int? = nil) async throws {
        guard try await catalog().faults.contains(fault) else { throw ControlError(text: "no fault \(fault) in the catalog") }
        var body: [String: Any] = ["route": route, "fault": fault, "times": times]
        if let ms { body["ms"] = ms }
        _ = try await request("POST", "/_emulator/faults", body)
    }

    /// Requests to `route` whose path names `id`, from the emulator's request log.
    static func requests(to route: String, naming id: String) async throws -> Int {
        let log = try await request("GET", "/_emulator/requests") as! [String: Any]
        return (log["recent"] as! [[String: Any]]).filter {
            $0["route"] as? String == route && ($0["path"] as! String).contains(id)
        }.count
    }

    /// Pays a fresh session and returns its transaction id.
    static func paidTransaction(_ client: Client, reference: String = reference()) async throws -> String {
        let created = try await client.sessions().create(request: sessionRequest(reference: reference))
        return try await pay(created.id)["transaction_id"] as! String
    }
}

struct ControlError: Error, CustomStringConvertible { let text: String; var description: String { text } }

final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func next() -> Int {
        lock.lock(); defer { lock.unlock() }
        value += 1
        return value
    }
}

/// Runs `body`, which must throw a `DinteroError`, and returns that error.
func caught<T>(_ body: () async throws -> T, file: StaticString = #filePath, line: UInt = #line) async -> DinteroError? {
    do {
        _ = try await body()
        XCTFail("expected a DinteroError", file: file, line: line)
    } catch let e as DinteroError {
        return e
    } catch {
        XCTFail("expected a DinteroError, got \(error)", file: file, line: line)
    }
    return nil
}
