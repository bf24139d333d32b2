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

private inline fun <T> DinteroException.field(
    pick: (String, Int?, String?, String?) -> T,
): T = when (this) {
    is DinteroException.InvalidInput -> pick(detail, status, code, requestId)
    is DinteroException.Authentication -> pick(detail, status, code, requestId)
    is DinteroException.Permission -> pick(detail, status, code, requestId)
    is DinteroException.NotFound -> pick(detail, status, code, requestId)
    is DinteroException.Conflict -> pick(detail, status, code, requestId)
    is DinteroException.RateLimited -> pick(detail, status, code, requestId)
    is DinteroException.Server -> pick(detail, status, code, requestId)
    is DinteroException.Network -> pick(detail, status, code, requestId)
    is DinteroException.Timeout -> pick(detail, status, code, requestId)
    is DinteroException.Decode -> pick(detail, status, code, requestId)
    is DinteroException.Signature -> pick(detail, status, code, requestId)
}

/** What went wrong, in words (it names the offending field for bad input). */
val DinteroException.detail: String get() = field { d, _, _, _ -> d }

/** The HTTP status Dintero answered with, when there was an answer. */
val DinteroException.status: Int? get() = field { _, s, _, _ -> s }

/** Dintero's `error.code`, when its error body had one. */
val DinteroException.code: String? get() = field { _, _, c, _ -> c }

/** Dintero's request id for the failed request; quote it to Dintero support. */
val DinteroException.requestId: String? get() = field { _, _, _, r -> r }

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
