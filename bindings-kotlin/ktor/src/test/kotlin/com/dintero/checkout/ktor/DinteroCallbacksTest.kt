// The Ktor receiver with Ktor's own test host (testApplication), replaying the emulator's real
// signed callbacks: directly, behind a simulated proxy (with and without trustProxy, and with
// publicUrl), forged, late, and while Dintero's transaction route fails.
package com.dintero.checkout.ktor

import com.dintero.checkout.CallbackVerifier
import com.dintero.checkout.Emulator
import com.dintero.checkout.RetryOptions
import com.dintero.checkout.computeSignature
import com.dintero.checkout.models.CallbackReceipt
import com.dintero.checkout.models.ReceiptOutcome
import com.dintero.checkout.models.SessionUrls
import io.ktor.client.request.get
import io.ktor.client.request.header
import io.ktor.client.statement.HttpResponse
import io.ktor.client.statement.bodyAsText
import io.ktor.http.HttpHeaders
import io.ktor.server.routing.routing
import io.ktor.server.testing.testApplication
import kotlinx.coroutines.runBlocking
import org.json.JSONObject
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import java.net.URI
import java.time.Duration
import kotlin.test.assertEquals
import kotlin.test.assertNull
import kotlin.test.assertTrue

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DinteroCallbacksTest {
    private val maxAttempts = 2u
    private val dintero = Emulator.client(retry = RetryOptions(maxAttempts = maxAttempts, initialBackoff = Duration.ofMillis(5), maxBackoff = Duration.ofMillis(20)))
    private val verifier = CallbackVerifier(Emulator.SIGNATURE_SECRET, Emulator.ACCOUNT_ID)
    private lateinit var transactionId: String
    private lateinit var callbackUrl: URI
    private lateinit var signature: String

    /** Path and query of the callback as Dintero sent it. */
    private val pathAndQuery get() = callbackUrl.rawPath + "?" + callbackUrl.rawQuery

    @BeforeAll
    fun paidSession() = runBlocking {
        // The emulator cannot reach shop.example; it records the signed attempt, which is replayed here.
        val request = Emulator.sessionRequest().let {
            it.copy(url = SessionUrls(returnUrl = "https://shop.example/return", callbackUrl = "https://shop.example/dintero/callback", extra = "{}"))
        }
        val session = dintero.sessions().create(request)
        transactionId = Emulator.pay(session.id).getString("transaction_id")
        val delivery = Emulator.callbackFor(transactionId)
        callbackUrl = URI(delivery.getString("url"))
        val headers = delivery.getJSONObject("headers")
        signature = headers.getString(headers.keySet().first { it.equals("dintero-signature", ignoreCase = true) })
    }

    private fun signed(secret: String, t: Long) =
        "t=$t,v0-hmac-sha256=" + computeSignature(secret, Emulator.ACCOUNT_ID, "GET", callbackUrl.toString(), t)

    /**
     * Runs a Ktor app with the receiver and sends it one request with the `Host` header [host]
     * (the test host serves only localhost, so the host goes in the header); returns the answer
     * and the receipt.
     */
    private fun exchange(
        host: String,
        headers: Map<String, String>,
        settings: ReceiverSettings = ReceiverSettings(),
    ): Triple<Int, JSONObject, CallbackReceipt?> {
        var seen: CallbackReceipt? = null
        var answer: Pair<Int, String>? = null
        testApplication {
            routing { dinteroCallbacks(dintero, verifier, settings = settings) { seen = it } }
            val response: HttpResponse = client.get(pathAndQuery) {
                header(HttpHeaders.Host, host)
                headers.forEach { (k, v) -> header(k, v) }
            }
            answer = response.status.value to response.bodyAsText()
        }
        val (status, body) = answer!!
        return Triple(status, JSONObject(body), seen)
    }

    private fun assertConfirmed(result: Triple<Int, JSONObject, CallbackReceipt?>, late: Boolean = false) {
        val (status, body, receipt) = result
        assertEquals(200, status, body.toString())
        assertEquals("confirmed", body.getString("outcome"))
        assertEquals(ReceiptOutcome.CONFIRMED, receipt?.outcome)
        assertEquals(transactionId, receipt?.transaction?.id)
        assertEquals(late, receipt?.late)
    }

    private fun assertRefused(result: Triple<Int, JSONObject, CallbackReceipt?>, status: Int = 403) {
        assertEquals(status, result.first, result.second.toString())
        assertEquals("refused", result.second.getString("outcome"))
        assertNull(result.third?.transaction, "nothing to fulfil from a refused callback")
    }

    private val forwarded = mapOf("X-Forwarded-Host" to "shop.example", "X-Forwarded-Proto" to "https")

    @Test
    fun `confirms a real signed callback`() {
        assertConfirmed(exchange("shop.example", mapOf("Dintero-Signature" to signature)))
    }

    @Test
    fun `behind a proxy only with trustProxy or publicUrl`() {
        val internal = "10.0.0.7:8080"
        val refused = exchange(internal, forwarded + ("Dintero-Signature" to signature))
        assertRefused(refused)
        assertEquals("signature_mismatch", refused.third?.error?.code)
        assertConfirmed(exchange(internal, forwarded + ("Dintero-Signature" to signature), ReceiverSettings(trustProxy = true)))
        assertConfirmed(
            exchange(internal, mapOf("Forwarded" to "for=203.0.113.9;host=shop.example;proto=https", "Dintero-Signature" to signature), ReceiverSettings(trustProxy = true)),
        )
        assertConfirmed(exchange(internal, mapOf("Dintero-Signature" to signature), ReceiverSettings(publicUrl = "https://shop.example")))
    }

    @Test
    fun `refuses forged and unsigned callbacks, confirms a late retry`() {
        val now = System.currentTimeMillis() / 1000
        assertRefused(exchange("shop.example", mapOf("Dintero-Signature" to signed("a-guess", now))))
        assertRefused(exchange("shop.example", emptyMap()))
        assertConfirmed(exchange("shop.example", mapOf("Dintero-Signature" to signed(Emulator.SIGNATURE_SECRET, now - 3600))), late = true)
    }

    @Test
    fun `answers 503 while Dintero fails, so Dintero retries`() {
        Emulator.fault("get_transaction", "status_503", times = maxAttempts.toInt())
        val (status, body, receipt) = exchange("shop.example", mapOf("Dintero-Signature" to signature))
        assertEquals(503, status, body.toString())
        assertEquals(ReceiptOutcome.RETRY_LATER, receipt?.outcome)
        assertNull(receipt?.transaction)
        assertTrue(body.getString("reason").isNotEmpty())
        assertConfirmed(exchange("shop.example", mapOf("Dintero-Signature" to signature)))
    }
}
