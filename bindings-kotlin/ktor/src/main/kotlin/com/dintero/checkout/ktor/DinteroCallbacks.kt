// Dintero callbacks in Ktor: hand the call to the core's `callbacks().receive(...)`, which
// verifies the signature on the URL rebuilt from the request (your public URL, or a trusted
// proxy's Forwarded / X-Forwarded-* headers, or Host), takes a late retry of Dintero's as
// authentic, notes a failed payment, confirms the rest against the transaction, and says what
// to answer. This file only converts Ktor's request and answers.
//
//   routing {
//       dinteroCallbacks(client, verifier) { receipt ->
//           if (receipt.outcome == ReceiptOutcome.CONFIRMED) fulfil(receipt.transaction!!)
//       }
//   }
package com.dintero.checkout.ktor

import com.dintero.checkout.CallbackVerifier
import com.dintero.checkout.Client
import com.dintero.checkout.models.CallbackReceipt
import io.ktor.http.ContentType
import io.ktor.http.HttpStatusCode
import io.ktor.server.application.ApplicationCall
import io.ktor.server.request.httpMethod
import io.ktor.server.request.uri
import io.ktor.server.response.respondText
import io.ktor.server.routing.Route
import io.ktor.server.routing.get
import io.ktor.server.routing.post
import io.ktor.server.routing.route

/** How to rebuild the URL Dintero called (the core's `requestUrl` settings). */
data class ReceiverSettings(
    /** Your public origin (`https://shop.example`) when a proxy in front of the server rewrites Host. */
    val publicUrl: String? = null,
    /**
     * Read the origin from your own proxy's `Forwarded` / `X-Forwarded-*` headers. Only when that
     * proxy overwrites them: otherwise anyone can choose the URL that is checked.
     */
    val trustProxy: Boolean = false,
)

/**
 * Receives the Dintero callback in this call: never throws; answer with [respondReceipt]. Only a
 * confirmed receipt carries the transaction to fulfil.
 */
suspend fun ApplicationCall.receiveDinteroCallback(
    client: Client,
    verifier: CallbackVerifier,
    settings: ReceiverSettings = ReceiverSettings(),
): CallbackReceipt {
    // Path and query as received; the first value of each header (the ones the core reads
    // occur once).
    val headers = request.headers.names().associateWith { request.headers[it].orEmpty() }
    return client.callbacks().receive(
        verifier, request.httpMethod.value, request.uri, headers, settings.publicUrl, settings.trustProxy,
    )
}

/** Answers with the receipt's status and a JSON body `{"outcome": ..., "reason": ...}`. */
suspend fun ApplicationCall.respondReceipt(receipt: CallbackReceipt) {
    val body = """{"outcome":${jsonString(receipt.outcome.name.lowercase())},"reason":${jsonString(receipt.reason)}}"""
    respondText(body, ContentType.Application.Json, HttpStatusCode.fromValue(receipt.status.toInt()))
}

/**
 * The receiver at [path] for GET and POST: receives, calls [onReceipt] (fulfil when confirmed;
 * it must be idempotent), answers. An [onReceipt] that throws reaches Ktor's error handling
 * (500 by default), so Dintero delivers the callback again later.
 */
fun Route.dinteroCallbacks(
    client: Client,
    verifier: CallbackVerifier,
    path: String = "/dintero/callback",
    settings: ReceiverSettings = ReceiverSettings(),
    onReceipt: suspend ApplicationCall.(CallbackReceipt) -> Unit = {},
) {
    route(path) {
        val handle: suspend ApplicationCall.() -> Unit = {
            val receipt = receiveDinteroCallback(client, verifier, settings)
            onReceipt(receipt)
            respondReceipt(receipt)
        }
        get { call.handle() }
        post { call.handle() }
    }
}

private fun jsonString(text: String): String = buildString {
    append('"')
    for (c in text) {
        when {
            c == '"' || c == '\\' -> append('\\').append(c)
            c < ' ' -> append("\\u%04x".format(c.code))
            else -> append(c)
        }
    }
    append('"')
}
