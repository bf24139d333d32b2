// The thin hand-written layer over the uniffi-generated API (Generated/, same module).
// Everything here reads what the generated types already carry; no rule of the SDK lives in
// Swift.
import Foundation

// The generated enum has `description` (the core's Display text: "not_found: ... (status 404,
// ...)") but does not declare the conformance, so "\(error)" and `localizedDescription` would
// fall back to reflection. Declare it.
extension DinteroError: CustomStringConvertible {}

extension DinteroError {
    private typealias Parts = (
        detail: String, status: Int32?, code: String?, requestId: String?,
        reference: String?, outcomeUnknown: Bool
    )

    private var parts: Parts {
        switch self {
        case let .InvalidInput(detail, status, code, requestId, reference, outcomeUnknown),
             let .Authentication(detail, status, code, requestId, reference, outcomeUnknown),
             let .Permission(detail, status, code, requestId, reference, outcomeUnknown),
             let .NotFound(detail, status, code, requestId, reference, outcomeUnknown),
             let .Conflict(detail, status, code, requestId, reference, outcomeUnknown),
             let .RateLimited(detail, status, code, requestId, reference, outcomeUnknown),
             let .Server(detail, status, code, requestId, reference, outcomeUnknown),
             let .Network(detail, status, code, requestId, reference, outcomeUnknown),
             let .Timeout(detail, status, code, requestId, reference, outcomeUnknown),
             let .Decode(detail, status, code, requestId, reference, outcomeUnknown),
             let .Signature(detail, status, code, requestId, reference, outcomeUnknown):
            return (detail, status, code, requestId, reference, outcomeUnknown)
        }
    }

    /// The stable category (the same in every language).
    public var kind: ErrorKind {
        switch self {
        case .InvalidInput: return .invalidInput
        case .Authentication: return .authentication
        case .Permission: return .permission
        case .NotFound: return .notFound
        case .Conflict: return .conflict
        case .RateLimited: return .rateLimited
        case .Server: return .server
        case .Network: return .network
        case .Timeout: return .timeout
        case .Decode: return .decode
        case .Signature: return .signature
        }
    }

    /// What went wrong, in words (it names the offending field for bad input).
    public var detail: String { parts.detail }
    /// The HTTP status Dintero answered with, when there was an answer.
    public var status: Int32? { parts.status }
    /// Dintero's `error.code`, when its error body had one.
    public var code: String? { parts.code }
    /// Dintero's request id for the failed request; quote it to Dintero support.
    public var requestId: String? { parts.requestId }
    /// The `capture_reference` / `refund_reference` a capture or refund used (yours, or the one
    /// the SDK generated). After an error with `outcomeUnknown`, retry the same call with it.
    public var reference: String? { parts.reference }
    /// True when a capture, refund or void failed so that the SDK cannot tell whether Dintero
    /// applied it. The same call with the same `reference` is safe: it returns the earlier
    /// result if there was one and writes once if there was none.
    public var outcomeUnknown: Bool { parts.outcomeUnknown }
    /// True for a signature error whose signature is authentic but outside the time window
    /// (`code` `signature_expired` or `signature_from_future`): a late retry of Dintero's.
    /// Confirm it by re-reading the transaction and answer 2xx; answer 4xx to a forged one.
    public var isAuthenticButLate: Bool {
        kind == .signature && (code == "signature_expired" || code == "signature_from_future")
    }
    /// True for failures that may go away on their own (network, timeout, 5xx, 429).
    public var isTransient: Bool { [.network, .timeout, .server, .rateLimited].contains(kind) }
}

extension ErrorKind {
    /// The snake_case name shared by every language: `invalid_input`, `not_found`, ...
    public var value: String { errorKindName(kind: self) }
}

extension TransactionPager {
    /// Every remaining transaction of a listing, fetched a page at a time as you iterate:
    /// `for try await tx in pager.transactions { ... }`.
    public var transactions: AsyncThrowingStream<Transaction, Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    while let tx = try await self.next() {
                        continuation.yield(tx)
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
