// The thin hand-written layer over the uniffi-generated API (Generated/, same module). Each
// line delegates to the core: no rule of the SDK lives in Swift.
import Foundation

extension Transaction {
    /// True when the order may be fulfilled (the core's `Transaction::is_paid`).
    public var isPaid: Bool { transactionIsPaid(transaction: self) }
    /// Σ of the successful captures, minor units (the core's `Transaction::captured_amount`).
    public var capturedAmount: Int64 { transactionCapturedAmount(transaction: self) }
    /// Σ of the successful refunds, minor units (the core's `Transaction::refunded_amount`).
    public var refundedAmount: Int64 { transactionRefundedAmount(transaction: self) }
}

extension ErrorKind {
    /// The snake_case name shared by every language: `invalid_input`, `not_found`, ...
    public var value: String { errorKindName(kind: self) }
}

extension TransactionStatus {
    /// Dintero's spelling of the status: `AUTHORIZED`, `PARTIALLY_CAPTURED`, ...
    public var value: String { transactionStatusName(status: self) }
}

extension TransactionPager {
    /// Every remaining transaction of a listing, fetched a page at a time as you iterate:
    /// `for try await tx in pager.transactions { ... }`.
    public var transactions: AsyncThrowingStream<Transaction, Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    while let tx = try await self.next() { continuation.yield(tx) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
