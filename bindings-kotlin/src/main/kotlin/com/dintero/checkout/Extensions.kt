// The thin hand-written layer over the uniffi-generated API (same package). Everything here
// reads what the generated types already carry; no rule of the SDK lives in Kotlin.
package com.dintero.checkout

import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow

/** The stable category of this error (the same in every language). */
val DinteroException.kind: ErrorKind
    get() = when (this) {
        is DinteroException.InvalidInput -> ErrorKind.INVALID_INPUT
        is DinteroException.Authentication -> ErrorKind.AUTHENTICATION
        is DinteroException.Permission -> ErrorKind.PERMISSION
        is DinteroException.NotFound -> ErrorKind.NOT_FOUND
        is DinteroException.Conflict -> ErrorKind.CONFLICT
        is DinteroException.RateLimited -> ErrorKind.RATE_LIMITED
        is DinteroException.Server -> ErrorKind.SERVER
        is DinteroException.Network -> ErrorKind.NETWORK
        is DinteroException.Timeout -> ErrorKind.TIMEOUT
        is DinteroException.Decode -> ErrorKind.DECODE
        is DinteroException.Signature -> ErrorKind.SIGNATURE
    }

/** The fields every variant carries (the generated classes share no supertype for them). */
private class Parts(
    val detail: String,
    val status: Int?,
    val code: String?,
    val requestId: String?,
    val reference: String?,
    val outcomeUnknown: Boolean,
)

private val DinteroException.parts: Parts
    get() = when (this) {
        is DinteroException.InvalidInput -> Parts(detail, status, code, requestId, reference, outcomeUnknown)
        is DinteroException.Authentication -> Parts(detail, status, code, requestId, reference, outcomeUnknown)
        is DinteroException.Permission -> Parts(detail, status, code, requestId, reference, outcomeUnknown)
        is DinteroException.NotFound -> Parts(detail, status, code, requestId, reference, outcomeUnknown)
        is DinteroException.Conflict -> Parts(detail, status, code, requestId, reference, outcomeUnknown)
        is DinteroException.RateLimited -> Parts(detail, status, code, requestId, reference, outcomeUnknown)
        is DinteroException.Server -> Parts(detail, status, code, requestId, reference, outcomeUnknown)
        is DinteroException.Network -> Parts(detail, status, code, requestId, reference, outcomeUnknown)
        is DinteroException.Timeout -> Parts(detail, status, code, requestId, reference, outcomeUnknown)
        is DinteroException.Decode -> Parts(detail, status, code, requestId, reference, outcomeUnknown)
        is DinteroException.Signature -> Parts(detail, status, code, requestId, reference, outcomeUnknown)
    }

/** What went wrong, in words (it names the offending field for bad input). */
val DinteroException.detail: String get() = parts.detail

/** The HTTP status Dintero answered with, when there was an answer. */
val DinteroException.status: Int? get() = parts.status

/** Dintero's `error.code`, when its error body had one. */
val DinteroException.code: String? get() = parts.code

/** Dintero's request id for the failed request; quote it to Dintero support. */
val DinteroException.requestId: String? get() = parts.requestId

/**
 * The `capture_reference` / `refund_reference` a capture or refund used (yours, or the one the
 * SDK generated). After an error with [outcomeUnknown], retry the same call with it.
 */
val DinteroException.reference: String? get() = parts.reference

/**
 * True when a capture, refund or void failed so that the SDK cannot tell whether Dintero applied
 * it. The same call with the same [reference] is safe: it returns the earlier result if there was
 * one and writes once if there was none.
 */
val DinteroException.outcomeUnknown: Boolean get() = parts.outcomeUnknown

/**
 * True for a signature error whose signature is authentic but outside the time window (`code`
 * `signature_expired` or `signature_from_future`): a late retry of Dintero's. Confirm it by
 * re-reading the transaction and answer 2xx; answer 4xx to a forged one.
 */
val DinteroException.isAuthenticButLate: Boolean
    get() = this is DinteroException.Signature && (code == "signature_expired" || code == "signature_from_future")

/** True for failures that may go away on their own (network, timeout, 5xx, 429). */
val DinteroException.isTransient: Boolean
    get() = kind in setOf(ErrorKind.NETWORK, ErrorKind.TIMEOUT, ErrorKind.SERVER, ErrorKind.RATE_LIMITED)

/** The snake_case name shared by every language: `invalid_input`, `not_found`, ... */
val ErrorKind.value: String get() = errorKindName(this)

/** Every remaining transaction of a listing as a cold [Flow], fetched a page at a time. */
fun TransactionPager.asFlow(): Flow<Transaction> = flow {
    while (true) {
        val tx = next() ?: break
        emit(tx)
    }
}
