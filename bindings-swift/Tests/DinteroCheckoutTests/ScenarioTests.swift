import Foundation
import XCTest
@testable import DinteroCheckout

/// The shared end-to-end scenario (testdata/scenario.json), interpreted step by step.
final class ScenarioTests: XCTestCase {
    private var vars: [String: Any] = [:]

    /// `$name` → the saved value.
    private func resolve(_ v: Any?) -> Any? {
        guard let s = v as? String, s.hasPrefix("$") else { return v }
        guard let saved = vars[String(s.dropFirst())] else { XCTFail("scenario: \(s) was never saved"); return nil }
        return saved
    }

    private func only(_ j: [String: Any], _ keys: Set<String>) -> [String: Any] {
        XCTAssertEqual(Set(j.keys).subtracting(keys), [], "scenario: fields this interpreter does not map")
        return j
    }

    private func sessionRequest(_ j: [String: Any]) -> SessionRequest {
        let url = only(only(j, ["profile_id", "url", "order"])["url"] as! [String: Any], ["return_url", "callback_url"])
        let order = only(j["order"] as! [String: Any], ["amount", "currency", "merchant_reference", "vat_amount", "items"])
        let items = (order["items"] as! [[String: Any]]).map { i in
            let i = only(i, ["id", "line_id", "description", "quantity", "amount", "vat_amount", "vat"])
            return OrderItem(id: i["id"] as? String, lineId: i["line_id"] as? String, description: i["description"] as? String,
                             quantity: (i["quantity"] as? NSNumber)?.doubleValue, amount: (i["amount"] as? NSNumber)?.int64Value,
                             vatAmount: (i["vat_amount"] as? NSNumber)?.int64Value, vat: (i["vat"] as? NSNumber)?.doubleValue, extra: "{}")
        }
        return SessionRequest(
            url: SessionUrls(returnUrl: url["return_url"] as! String, callbackUrl: url["callback_url"] as? String, extra: "{}"),
            order: Order(amount: (order["amount"] as! NSNumber).int64Value, currency: order["currency"] as! String,
                         merchantReference: order["merchant_reference"] as! String,
                         vatAmount: (order["vat_amount"] as? NSNumber)?.int64Value, items: items, extra: "{}"),
            profileId: j["profile_id"] as? String, extra: "{}")
    }

    private func run(_ client: Client, _ op: String, _ args: [String: Any]) async throws -> Any {
        func a(_ name: String) -> Any? { resolve(args[name]) }
        func s(_ name: String) -> String { a(name) as! String }
        switch op {
        case "sessions.create": return try await client.sessions().create(request: sessionRequest(a("request") as! [String: Any]))
        case "emulator.pay": return try await Emulator.pay(s("session_id"), card: s("card"))
        case "client.wait_for_payment": return try await client.waitForPayment(sessionId: s("session_id"))
        case "transactions.get": return try await client.transactions().get(transactionId: s("transaction_id"))
        case "transactions.capture":
            let r = only(a("request") as! [String: Any], ["amount", "capture_reference"])
            return try await client.transactions().capture(transactionId: s("transaction_id"), request: CaptureRequest(
                amount: (r["amount"] as! NSNumber).int64Value, captureReference: r["capture_reference"] as? String, extra: "{}"))
        case "transactions.refund":
            let r = only(a("request") as! [String: Any], ["amount", "refund_reference", "reason"])
            return try await client.transactions().refund(transactionId: s("transaction_id"), request: RefundRequest(
                amount: (r["amount"] as! NSNumber).int64Value, refundReference: r["refund_reference"] as? String,
                reason: r["reason"] as? String, extra: "{}"))
        case "transactions.void": return try await client.transactions().void(transactionId: s("transaction_id"))
        default: throw ControlError(text: "scenario: no mapping for operation \(op)")
        }
    }

    private func unwrap(_ v: Any?) -> Any? {
        guard let v else { return nil }
        let m = Mirror(reflecting: v)
        return m.displayStyle == .optional ? m.children.first.flatMap { unwrap($0.value) } : v
    }

    /// Follows a dotted path: record fields by their camelCase name, `captured_amount()` etc.
    private func lookup(_ root: Any?, _ path: String) -> Any? {
        var obj = root
        for seg in path.split(separator: ".").map(String.init) {
            switch (unwrap(obj), seg) {
            case (nil, _): XCTFail("scenario: \(path): nil before \(seg)"); return nil
            case (let d as [String: Any], _): obj = d[seg]
            case (let t as Transaction, "captured_amount()"): obj = t.capturedAmount
            case (let t as Transaction, "refunded_amount()"): obj = t.refundedAmount
            case (let t as Transaction, "is_paid()"): obj = t.isPaid
            case (let e as DinteroError, "kind"): obj = e.kind().value
            case (let e as DinteroError, "status"): obj = e.status()
            case (let e as DinteroError, "code"): obj = e.code()
            case (let o?, _):
                let parts = seg.split(separator: "_")
                let camel = parts.first.map(String.init)! + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
                guard let child = Mirror(reflecting: o).children.first(where: { $0.label == camel }) else {
                    XCTFail("scenario: no \(seg) on \(type(of: o))"); return nil
                }
                obj = child.value
            }
        }
        return unwrap(obj)
    }

    /// Values as comparable text: enums by case name, case and `_` aside.
    private func text(_ v: Any?) -> String {
        v.map { "\($0)" }.map { $0.lowercased().replacingOccurrences(of: "_", with: "") } ?? "nil"
    }

    func testTheSharedScenarioRunsEndToEnd() async throws {
        let data = try Data(contentsOf: Emulator.testdata.appendingPathComponent("scenario.json"))
        let scenario = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        vars["session_request"] = scenario["session_request"]
        let client = try Emulator.client()
        for (i, step) in (scenario["steps"] as! [[String: Any]]).enumerated() {
            let op = step["op"] as! String
            let expectError = step["expect_error"] as? [String: Any]
            let result: Any
            do {
                result = try await run(client, op, step["args"] as? [String: Any] ?? [:])
            } catch let e as DinteroError where expectError != nil {
                for (key, expected) in expectError! { check(i, "error.\(key)", expected, lookup(e, key)) }
                continue
            }
            XCTAssertNil(expectError, "step \(i) (\(op)): expected an error, got \(result)")
            for (name, path) in step["save"] as? [String: String] ?? [:] { vars[name] = lookup(result, path) }
            for (path, expected) in step["expect"] as? [String: Any] ?? [:] { check(i, path, expected, lookup(result, path)) }
        }
        let txId = vars["transaction_id"] as! String
        for (route, count) in scenario["requests"] as! [String: Any] where route != "about" {
            let seen = try await Emulator.requests(to: route, naming: txId)
            XCTAssertEqual(seen, (count as! NSNumber).intValue, "requests to \(route)")
        }
    }

    private func check(_ step: Int, _ path: String, _ expected: Any, _ actual: Any?) {
        if let flag = actual as? Bool {
            XCTAssertEqual(flag, (expected as? Bool) ?? (expected as? NSNumber)?.boolValue, "step \(step), \(path)")
        } else if expected as? String == "<present>" {
            XCTAssertFalse(actual == nil || text(actual).isEmpty, "step \(step), \(path): missing")
        } else {
            XCTAssertEqual(text(actual), text(resolve(expected)), "step \(step), \(path)")
        }
    }
}
