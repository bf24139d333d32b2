// The thin hand-written layer over the uniffi-generated API (Generated/, same module).
// Everything here reads what the generated types already carry; no rule of the SDK lives in
// Swift.
import Foundation

// The generated enum has `description` (the core's Display text: "not_found: ... (status 404,
// ...)") but does not declare the conformance, so "\(error)" and `localizedDescription` would
// fall back to reflection. Declare it.
extension DinteroError: CustomStringConvertible {}

extension DinteroError {
    private var parts: (detail: String, status: Int32?, code: String?, requestId: String?) {
        switch self {
        case let .InvalidInput(detail, status, code, requestId),
             let .Authentication(detail, status, code, requestId),
             let .Permission(detail, status, code, requestId),
             let .NotFound(detail, status, code, requestId),
             let .Conflict(detail, status, code, requestId),
             let .RateLimited(detail, status, code, requestId),
             let .Server(detail, status, code, requestId),
             let .Network(detail, status, code, requestId),
             let .Timeout(detail, status, code, requestId),
             let .Decode(detail, status, code, requestId),
             let .Signature(detail, status, code, requestId):
            return (detail, status, code, requestId)
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
