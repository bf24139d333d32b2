import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
@testable import DinteroCheckout

/// Collects what a client tells it, for the tests (a LogSink and a RequestObserver at once).
final class Captured: LogSink, RequestObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var threshold: LogLevel?
    private var _records: [LogRecord] = []
    private var _events: [RequestEvent] = []

    init(level: LogLevel? = .debug) { threshold = level }

    var records: [LogRecord] { lock.lock(); defer { lock.unlock() }; return _records }
    var events: [RequestEvent] { lock.lock(); defer { lock.unlock() }; return _events }
    func setLevel(_ level: LogLevel?) { lock.lock(); threshold = level; lock.unlock() }
    func clear() { lock.lock(); _records = []; _events = []; lock.unlock() }

    func enabled(level: LogLevel) -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard let threshold else { return false }
        let order: [LogLevel] = [.debug, .info, .warn]
        return order.firstIndex(of: level)! >= order.firstIndex(of: threshold)!
    }
    func log(record: LogRecord) { lock.lock(); _records.append(record); lock.unlock() }
    func onRequest(event: RequestEvent) { lock.lock(); _events.append(event); lock.unlock() }

    var text: String { records.map { "\($0.level) \($0.target) \($0.message)" }.joined(separator: "\n") }
}

extension LogRecord {
    /// The field `name` when it is a number.
    func int(_ name: String) -> Int64? {
        if case .int(let value)? = fields.first(where: { $0.name == name })?.value { return value }
        return nil
    }
    /// The field `name` when it is a text.
    func text(_ name: String) -> String? {
        if case .text(let value)? = fields.first(where: { $0.name == name })?.value { return value }
        return nil
    }
    /// The field `name` as the message shows it (texts here hold no space or quote).
    func shown(_ name: String) -> String? { int(name).map { String($0) } ?? text(name) }
}

/// Logs through a LogSink, the StderrLogger, the RequestObserver and the request id on every
/// answer, against the emulator. A whole flow with faults (a 503 then success, a capture cut
/// after it was applied and then reconciled, an expired token refused and fetched again) is
/// captured at debug and searched for every secret the emulator issued.
final class LogTests: XCTestCase {
    private func client(_ captured: Captured) throws -> Client {
        try Client(accountId: Emulator.accountId, clientId: Emulator.clientId, clientSecret: Emulator.clientSecret,
                   baseUrl: Emulator.baseUrl, retry: RetryOptions(initialBackoff: 0.01, maxBackoff: 0.05),
                   onRequest: captured, logger: captured)
    }

    /// A token fetched without the SDK, to learn what the emulator's tokens look like.
    private func rawToken() async throws -> String {
        var req = URLRequest(url: URL(string: "\(Emulator.baseUrl)/v1/accounts/\(Emulator.accountId)/auth/token")!)
        req.httpMethod = "POST"
        req.setValue("application/json", forHTTPHeaderField: "content-type")
        let basic = Data("\(Emulator.clientId):\(Emulator.clientSecret)".utf8).base64EncodedString()
        req.setValue("Basic \(basic)", forHTTPHeaderField: "authorization")
        req.httpBody = try JSONSerialization.data(withJSONObject: [
            "grant_type": "client_credentials", "audience": "\(Emulator.baseUrl)/v1/accounts/\(Emulator.accountId)",
        ])
        let data: Data = try await withCheckedThrowingContinuation { cont in
            URLSession.shared.dataTask(with: req) { data, _, error in
                if let error { cont.resume(throwing: error) } else { cont.resume(returning: data ?? Data()) }
            }.resume()
        }
        let json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        return json["access_token"] as! String
    }

    func testAWholeFlowWithFaultsIsLoggedWithoutASecret() async throws {
        let token = try await rawToken()
        let jwtHeader = String(token.split(separator: ".").first!)
        XCTAssertEqual(token.split(separator: ".").count, 3, "the emulator issues JWTs")
        let captured = Captured()
        let client = try client(captured)
        let tx = try await Emulator.paidTransaction(client)
        try await Emulator.fault("get_transaction", "status_503")
        _ = try await client.transactions().get(transactionId: tx)
        let reference = Emulator.reference("cap-swift-logs")
        try await Emulator.fault("capture", "reset_after_apply")
        let op = try await client.transactions().capture(
            transactionId: tx, request: CaptureRequest(amount: 1000, captureReference: reference, extra: "{}"))
        XCTAssertTrue(op.reconciled)
        // Past the token's lifetime: the cached token is refused and a new one fetched.
        _ = try await Emulator.request("POST", "/_emulator/clock/advance", ["seconds": 14400 + 60])
        _ = try await client.transactions().get(transactionId: tx)

        let records = captured.records
        let text = captured.text
        let attempts = records.filter { $0.level == .debug && ["request", "request failed"].contains($0.event) }
        let gets = attempts.filter { $0.text("method") == "GET" && $0.text("path") == "/v1/transactions/\(tx)" }
        XCTAssertTrue(gets.contains { $0.int("status") == 503 && $0.int("attempt") == 1 }, text)
        XCTAssertTrue(gets.contains { $0.int("status") == 200 && $0.int("attempt") == 2 }, text)
        let answered = attempts.filter { $0.event == "request" }
        XCTAssertFalse(answered.isEmpty, text)
        for r in answered {
            XCTAssertNotNil(r.int("duration_ms"), r.message)
            XCTAssertFalse((r.text("request_id") ?? "").isEmpty, r.message)
            for name in ["method", "path", "status", "attempt", "duration_ms", "request_id"] {
                XCTAssertTrue(r.message.contains("\(name)=\(r.shown(name) ?? "?")"), r.message)
            }
        }
        let infos = records.filter { $0.level == .info }
        XCTAssertTrue(infos.contains { $0.message.contains("retrying") }, text)
        XCTAssertTrue(infos.contains { $0.message.contains("fetching an access token") }, text)
        XCTAssertTrue(infos.contains { $0.message.contains("refused (401)") }, text)
        XCTAssertTrue(infos.contains { $0.message.contains("reconciled") && $0.text("reference") == reference }, text)
        XCTAssertGreaterThanOrEqual(client.tokenRequests(), 2)

        let card = try await Emulator.catalog().cards["approve"]!
        let all = text + "\n" + records.map { "\($0)" }.joined(separator: "\n") + "\n" + captured.events.map { "\($0)" }.joined()
        for secret in [Emulator.clientSecret, Emulator.signatureSecret, token, jwtHeader, card] {
            XCTAssertFalse(all.contains(secret), "a secret reached the logs")
        }
        XCTAssertFalse(all.lowercased().contains("bearer"), text)
    }

    func testTheSinksLevelIsAskedOnEveryCall() async throws {
        let captured = Captured(level: .warn)
        let client = try client(captured)
        let tx = try await Emulator.paidTransaction(client)
        _ = try await client.transactions().get(transactionId: tx)
        XCTAssertEqual(captured.records.map(\.message), [])
        captured.setLevel(.info)
        try await Emulator.fault("get_transaction", "status_503")
        _ = try await client.transactions().get(transactionId: tx)
        XCTAssertFalse(captured.records.isEmpty)
        XCTAssertTrue(captured.records.allSatisfy { $0.level == .info }, captured.text)
    }

    func testAnObserverSeesStartAndEndOfEveryAttemptAndValuesCarryTheRequestId() async throws {
        let captured = Captured(level: nil)
        let client = try client(captured)
        let created = try await client.sessions().create(request: Emulator.sessionRequest())
        XCTAssertNotNil(created.requestId)
        XCTAssertEqual(captured.events.last?.requestId, created.requestId)
        let tx = try await Emulator.pay(created.id)["transaction_id"] as! String
        captured.clear()
        try await Emulator.fault("get_transaction", "status_503")
        let read = try await client.transactions().get(transactionId: tx)
        let seen = captured.events.map { "\($0.phase) \($0.attempt) \($0.status.map(String.init) ?? "-")" }
        XCTAssertEqual(seen, ["start 1 -", "end 1 503", "start 2 -", "end 2 200"])
        XCTAssertTrue(captured.events.allSatisfy { $0.method == "GET" && $0.path == "/v1/transactions/\(tx)" })
        XCTAssertTrue(captured.events.filter { $0.phase == .end }.allSatisfy { $0.requestId != nil && $0.durationMs != nil })
        XCTAssertNotNil(read.requestId)
        XCTAssertEqual(captured.events.last?.requestId, read.requestId)
        XCTAssertEqual(captured.records.count, 0, "a sink that wants nothing is given nothing")
    }

    func testStderrLoggerTakesItsLevelFromTheEnvironmentAndWritesOneLinePerRecord() async throws {
        XCTAssertEqual(StderrLogger.environmentLevel(["DINTERO_CHECKOUT_LOG": "debug"]), .debug)
        XCTAssertEqual(StderrLogger.environmentLevel(["DINTERO_CHECKOUT_LOG": "INFO"]), .info)
        XCTAssertEqual(StderrLogger.environmentLevel(["DINTERO_CHECKOUT_LOG": "warn"]), .warn)
        XCTAssertNil(StderrLogger.environmentLevel(["DINTERO_CHECKOUT_LOG": "loud"]))
        XCTAssertNil(StderrLogger.environmentLevel([:]))
        XCTAssertFalse(StderrLogger(level: nil).enabled(level: .warn))
        let info = StderrLogger(level: .info)
        XCTAssertEqual([LogLevel.debug, .info, .warn].map { info.enabled(level: $0) }, [false, true, true])

        let lines = Lines()
        let logger = StderrLogger(level: .debug) { lines.append($0) }
        let client = try Client(accountId: Emulator.accountId, clientId: Emulator.clientId,
                                clientSecret: Emulator.clientSecret, baseUrl: Emulator.baseUrl, logger: logger)
        let created = try await client.sessions().create(request: Emulator.sessionRequest())
        let written = lines.all
        XCTAssertTrue(written.allSatisfy { $0.hasPrefix("dintero_checkout ") && $0.hasSuffix("\n") }, written.joined())
        XCTAssertTrue(written.contains { $0.hasPrefix("dintero_checkout INFO fetching an access token") }, written.joined())
        XCTAssertTrue(written.contains {
            $0.hasPrefix("dintero_checkout DEBUG request ") && $0.contains("method=POST")
                && $0.contains("request_id=\(created.requestId!)")
        }, written.joined())
        XCTAssertFalse(written.joined().contains(Emulator.clientSecret))
    }
}

final class Lines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}
