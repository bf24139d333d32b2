// The thin hand-written layer over the uniffi-generated API. Each line delegates to the core:
// no rule of the SDK lives in Kotlin.
package com.dintero.checkout

import com.dintero.checkout.models.ErrorKind
import com.dintero.checkout.models.Transaction
import com.dintero.checkout.models.TransactionStatus
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow

/** True when the order may be fulfilled (the core's `Transaction::is_paid`). */
val Transaction.isPaid: Boolean get() = transactionIsPaid(this)

/** Σ of the successful captures, minor units (the core's `Transaction::captured_amount`). */
val Transaction.capturedAmount: Long get() = transactionCapturedAmount(this)

/** Σ of the successful refunds, minor units (the core's `Transaction::refunded_amount`). */
val Transaction.refundedAmount: Long get() = transactionRefundedAmount(this)

/** The snake_case name shared by every language: `invalid_input`, `not_found`, ... */
val ErrorKind.value: String get() = errorKindName(this)

/** Dintero's spelling of the status: `AUTHORIZED`, `PARTIALLY_CAPTURED`, ... */
val TransactionStatus.value: String get() = transactionStatusName(this)

/** Every remaining transaction of a listing as a cold [Flow], fetched a page at a time. */
fun TransactionPager.asFlow(): Flow<Transaction> = flow {
    while (true) emit(next() ?: break)
}
