package com.dintero.checkout

import kotlinx.coroutines.runBlocking
import org.json.JSONArray
import org.junit.jupiter.api.Test
import java.io.File
import javax.crypto.Mac
import javax.crypto.spec.SecretKeySpec
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

class SignaturesTest {
    private val vectors: JSONArray by lazy {
        val dir = System.getProperty("dintero.testdata") ?: "../testdata"
        JSONArray(File(dir, "callback-signatures.json").readText())
    }

    @Test
    fun `shared callback signature vectors`() {
        assertTrue(vectors.length() >= 4, "vectors present")
        for (i in 0 until vectors.length()) {
            val v = vectors.getJSONObject(i)
            val verifier = CallbackVerifier(v.getString("secret"), v.getString("account_id"))
            val name = v.getString("name")
            if (v.getBoolean("valid")) {
                verifier.verifyHeaderAt(v.getString("method"), v.getString("url"), v.getString("signature_header"), v.getLong("timestamp"))
                val expected = v.getString("signature_header").substringAfter("v0-hmac-sha256=")
                val computed = computeCallbackSignature(v.getString("secret"), v.getString("account_id"), v.getString("method"),
                    v.getString("url"), v.getLong("timestamp"))
                assertEquals(expected, computed, name)
            } else {
                val e = assertFailsWith<DinteroException.Signature>(name) {
                    verifier.verifyHeaderAt(v.getString("method"), v.getString("url"), v.getString("signature_header"), v.getLong("timestamp"))
                }
                assertEquals(ErrorKind.SIGNATURE, e.kind)
            }
        }
    }

    @Test
    fun `stale, missing and forged callback signatures are refused`() {
        val url = "https://shop.example/cb?transaction_id=T12345678.abc&merchant_reference=o-1"
        val now = System.currentTimeMillis() / 1000
        val sig = computeCallbackSignature("s3cret", "T12345678", "GET", url, now - 3600)
        val verifier = CallbackVerifier("s3cret", "T12345678")
        val stale = assertFailsWith<DinteroException.Signature> {
            verifier.verify("GET", url, mapOf("Dintero-Signature" to "t=${now - 3600},v0-hmac-sha256=$sig"))
        }
        assertTrue(stale.detail.contains("old"), stale.detail)
        assertFailsWith<DinteroException.Signature> { verifier.verify("GET", url, emptyMap()) }
        val fresh = computeCallbackSignature("s3cret", "T12345678", "GET", url, now)
        val cb = verifier.verify("GET", url, mapOf("dintero-signature" to "t=$now,v0-hmac-sha256=$fresh"))
        assertEquals("T12345678.abc", cb.transactionId)
        assertFailsWith<DinteroException.Signature> {
            verifier.verify("GET", "$url&amount=1", mapOf("dintero-signature" to "t=$now,v0-hmac-sha256=$fresh"))
        }
        // A verifier with a longer tolerance accepts the hour-old one.
        CallbackVerifier("s3cret", "T12345678", tolerance = java.time.Duration.ofHours(2))
            .verify("GET", url, mapOf("Dintero-Signature" to "t=${now - 3600},v0-hmac-sha256=$sig"))
    }

    @Test
    fun `an authentic but late signature is told apart from a forged one, and a non-callback is a Signature error`() {
        val url = "https://shop.example/cb?transaction_id=T12345678.abc&merchant_reference=o-1"
        val t = System.currentTimeMillis() / 1000 - 3600
        val verifier = CallbackVerifier("s3cret", "T12345678")
        val late = assertFailsWith<DinteroException.Signature> {
            verifier.verify("GET", url, mapOf("Dintero-Signature" to "t=$t,v0-hmac-sha256=${computeCallbackSignature("s3cret", "T12345678", "GET", url, t)}"))
        }
        assertEquals("signature_expired", late.code)
        assertTrue(late.isAuthenticButLate)
        val forged = assertFailsWith<DinteroException.Signature> {
            verifier.verify("GET", url, mapOf("Dintero-Signature" to "t=$t,v0-hmac-sha256=${computeCallbackSignature("guess", "T12345678", "GET", url, t)}"))
        }
        assertEquals("signature_mismatch", forged.code)
        assertTrue(!forged.isAuthenticButLate)
        val unreadable = assertFailsWith<DinteroException.Signature> {
            verifier.verify("GET", "not a url", mapOf("Dintero-Signature" to "t=$t,v0-hmac-sha256=00"))
        }
        assertEquals("signature_malformed", unreadable.code)
    }

    @Test
    fun `an event_id that matches no event does not make confirm refuse`() = runBlocking {
        val client = Emulator.client()
        val created = client.sessions().create(Emulator.sessionRequest())
        val txId = parseReturnUrl(Emulator.pay(created.id)).transactionId!!
        client.transactions().capture(txId, CaptureRequest(amount = 33890))
        val cb = parseCallback("https://shop.example/cb?transaction_id=$txId&event=CAPTURE&event_id=3")
        assertEquals(TransactionStatus.CAPTURED, client.confirmCallback(cb).transaction.status)
    }

    @Test
    fun `a callback that does not match its transaction is a Conflict`() = runBlocking {
        val client = Emulator.client()
        val created = client.sessions().create(Emulator.sessionRequest())
        val txId = parseReturnUrl(Emulator.pay(created.id)).transactionId!!
        val forged = parseCallback("https://shop.example/cb?transaction_id=$txId&merchant_reference=someone-else")
        val e = assertFailsWith<DinteroException.Conflict> { client.confirmCallback(forged) }
        assertEquals("callback_mismatch", e.code)
    }

    @Test
    fun `webhooks are verified over the raw body`() {
        val body = """{"event":"checkout_transaction","account_id":"T12345678","event_delivery":"d-1","transaction":{"id":"T12345678.x","status":"CAPTURED"}}"""
            .toByteArray()
        val mac = Mac.getInstance("HmacSHA1").apply { init(SecretKeySpec("hook-secret".toByteArray(), "HmacSHA1")) }
        val signature = mac.doFinal(body).joinToString("") { "%02x".format(it) }
        val event = verifyWebhook("hook-secret", body, signature)
        assertEquals("checkout_transaction", event.event)
        assertEquals("d-1", event.eventDelivery)
        assertTrue(event.transactionJson!!.contains("CAPTURED"))
        assertFailsWith<DinteroException.Signature> { verifyWebhook("other-secret", body, signature) }
        assertFailsWith<DinteroException.Signature> { verifyWebhook("hook-secret", body, null) }
    }

    @Test
    fun `return and callback urls parse without a client`() {
        val ok = parseReturnUrl("myapp://checkout/return?transaction_id=T12345678.abc&merchant_reference=o-1&session_id=T12345678.s")
        assertEquals(ReturnOutcome.COMPLETED, ok.outcome)
        assertEquals("T12345678.s", ok.sessionId)
        val failed = parseReturnUrl("https://shop.example/return?error=authorization&merchant_reference=o-1")
        assertEquals(ReturnOutcome.FAILED, failed.outcome)
        val e = assertFailsWith<DinteroException.InvalidInput> { parseReturnUrl("not a url") }
        assertTrue(e.detail.contains("return url") || e.detail.contains("URL"), e.detail)

        val cb = parseCallback("https://shop.example/cb?transaction_id=T12345678.abc&event=CAPTURE&event_id=e1&x=1")
        assertEquals("CAPTURE", cb.event)
        assertEquals("e1", cb.eventId)
        assertEquals(QueryParam("x", "1"), cb.params.last())
    }
}
