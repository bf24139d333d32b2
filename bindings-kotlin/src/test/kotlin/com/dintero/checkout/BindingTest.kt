package com.dintero.checkout

import com.dintero.checkout.models.Callback
import com.dintero.checkout.models.CallbackEventKind
import com.dintero.checkout.models.ErrorKind
import com.dintero.checkout.models.ListTransactions
import com.dintero.checkout.models.PaymentError
import com.dintero.checkout.models.QueryParam
import com.dintero.checkout.models.Transaction
import com.dintero.checkout.models.TransactionStatus
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.json.JSONObject
import org.junit.jupiter.api.Test
import java.time.Duration
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

/** What only the binding can break: conversion, error mapping, async bridging, secrets. */
class BindingTest {
    private fun paidTransaction(client: Client, reference: String = Emulator.reference()): String = runBlocking {
        val created = client.sessions().create(Emulator.sessionRequest(reference))
        Emulator.pay(created.id).getString("transaction_id")
    }

    private suspend fun caught(body: suspend () -> Any?): DinteroException =
        try {
            body()
            throw AssertionError("expected a DinteroException")
        } catch (e: DinteroException) {
            e
        }

    @Test
    fun `records, open enums and extra JSON cross both ways`() = runBlocking {
        val client = Emulator.client()
        val created = client.sessions().create(Emulator.sessionRequest(extra = """{"metadata": {"ext_color": "blue"}}"""))
        val session = client.sessions().get(created.id)
        assertEquals("blue", JSONObject(session.extra).getJSONObject("metadata").getString("ext_color"), session.extra)
        assertEquals("1", session.order!!.items.single().lineId)
        assertEquals(29990L, session.order!!.items.single().amount)
        assertEquals("INITIATED", session.events.first().name)

        // Values this SDK does not know arrive as Unrecognized, with Dintero's spelling.
        val cb = parseCallback("https://shop.example/cb?transaction_id=T12345678.a&error=brand_new&event=NEW_EVENT&x=1")
        assertEquals(PaymentError.Unrecognized("brand_new"), cb.error)
        assertEquals(CallbackEventKind.Unrecognized("NEW_EVENT"), cb.event)
        assertTrue(QueryParam("x", "1") in cb.params)

        // ... and go back into Rust as they came.
        val tx = Transaction(id = "T12345678.b", amount = 100, currency = "NOK", merchantReference = "r", events = emptyList(), extra = """{"card": {}}""")
        assertFalse(tx.copy(status = TransactionStatus.Unrecognized("SOMETHING_NEW")).isPaid)
        assertTrue(tx.copy(status = TransactionStatus.Authorized).isPaid)
        assertEquals(0L, tx.capturedAmount)
        assertEquals("SOMETHING_NEW", TransactionStatus.Unrecognized("SOMETHING_NEW").value)
        assertEquals("PARTIALLY_CAPTURED", TransactionStatus.PartiallyCaptured.value)

        // Text that is not JSON where JSON is expected is refused, and the process goes on.
        assertFailsWith<Exception> { tx.copy(extra = "not json").isPaid }
        assertTrue(tx.isPaid.not())
    }

    @Test
    fun `every error kind arrives as one DinteroException with its fields`() = runBlocking {
        val seen = mutableMapOf<ErrorKind, DinteroException>()
        fun record(e: DinteroException) { seen[e.kind()] = e }
        val oneTry = RetryOptions(maxAttempts = 1u)
        val client = Emulator.client(retry = oneTry, timeout = Duration.ofMillis(300))
        val sessionId = client.sessions().create(Emulator.sessionRequest()).id

        record(caught { Client("X1", "id", "very-secret-1") })
        record(caught { Emulator.client(secret = "wrong-secret-2").authenticate() })
        record(caught { client.transactions().get("T12345678.doesnotexist") })
        record(caught { Emulator.client(baseUrl = "http://127.0.0.1:9", retry = oneTry).authenticate() })
        for ((fault, ms) in listOf("status_403" to null, "status_429" to null, "status_503" to null, "delay" to 1500L, "malformed_json" to null)) {
            Emulator.fault("get_session", fault, ms = ms)
            record(caught { client.sessions().get(sessionId) })
        }
        val txId = paidTransaction(client)
        val wrong = Callback(transactionId = txId, sessionId = sessionId, merchantReference = "someone-else", time = null,
            error = null, event = null, eventId = null, params = emptyList())
        record(caught { client.callbacks().confirm(wrong) })
        record(caught { CallbackVerifier(Emulator.SIGNATURE_SECRET, Emulator.ACCOUNT_ID).verifySignature("POST", "https://x.example/cb", "t=1,nonsense") })

        assertEquals(ErrorKind.entries.toSet(), seen.keys)
        for ((kind, e) in seen) {
            assertTrue(e.toString().startsWith(kind.value + ": "), e.toString())
            assertTrue(e.message().isNotEmpty())
            assertFalse("secret" in e.toString(), e.toString())
        }
        assertTrue("account_id" in seen.getValue(ErrorKind.INVALID_INPUT).message())
        assertEquals(401, seen.getValue(ErrorKind.AUTHENTICATION).status())
        assertEquals(403, seen.getValue(ErrorKind.PERMISSION).status())
        assertEquals(404, seen.getValue(ErrorKind.NOT_FOUND).status())
        assertNotNull(seen.getValue(ErrorKind.NOT_FOUND).requestId())
        assertEquals(429, seen.getValue(ErrorKind.RATE_LIMITED).status())
        assertEquals(503, seen.getValue(ErrorKind.SERVER).status())
        assertEquals("callback_mismatch", seen.getValue(ErrorKind.CONFLICT).code())
        assertEquals("signature_malformed", seen.getValue(ErrorKind.SIGNATURE).code())
        assertTrue(seen.getValue(ErrorKind.SERVER).isTransient())
        assertFalse(seen.getValue(ErrorKind.NOT_FOUND).isTransient())
        assertFalse(seen.getValue(ErrorKind.SERVER).outcomeUnknown())
    }

    @Test
    fun `an argument left out takes the core's default`() {
        val tolerance = defaults().signatureToleranceSeconds.toLong()
        val verifier = CallbackVerifier(Emulator.SIGNATURE_SECRET, Emulator.ACCOUNT_ID)
        val url = "https://shop.example/cb?transaction_id=T12345678.a"
        val ts = System.currentTimeMillis() / 1000
        val header = "t=$ts,v0-hmac-sha256=" + computeSignature(Emulator.SIGNATURE_SECRET, Emulator.ACCOUNT_ID, "POST", url, ts)
        verifier.verifySignature("POST", url, header)
        verifier.verifySignature("POST", url, header, now = ts + tolerance - 1)
        val late = assertFailsWith<DinteroException> { verifier.verifySignature("POST", url, header, now = ts + tolerance + 1) }
        assertTrue(late.isAuthenticButLate(), late.toString())
        val forged = assertFailsWith<DinteroException> { verifier.verifySignature("POST", url + "&x=1", header) }
        assertFalse(forged.isAuthenticButLate(), forged.toString())
        val received = verifier.verifyRequest("POST", "/cb?transaction_id=T12345678.a", mapOf("Host" to "shop.example", "Dintero-Signature" to header))
        assertEquals("T12345678.a", received.transactionId)
        assertEquals(url, requestUrl("/cb?transaction_id=T12345678.a", mapOf("Host" to "shop.example"), publicUrl = "https://shop.example"))
    }

    @Test
    fun `calls run concurrently, and a cancelled call stops`() = runBlocking {
        val client = Emulator.client()
        val reference = Emulator.reference("pager")
        val txId = paidTransaction(client, reference)
        val filter = ListTransactions(limit = 1u, startingAfter = null, merchantReference = reference, sessionId = emptyList(),
            status = emptyList(), createdAtGte = null, createdAtLte = null, extra = emptyList())
        assertEquals(listOf(txId), client.transactions().list(filter).asFlow().toList().map { it.id })
        val all = (1..16).map { async(Dispatchers.Default) { client.transactions().get(txId).id } }.awaitAll()
        assertEquals(List(16) { txId }, all)

        val unpaid = client.sessions().create(Emulator.sessionRequest()).id
        val started = System.nanoTime()
        val job = launch(Dispatchers.Default) { client.waitForPayment(unpaid, Duration.ofMillis(100), Duration.ofSeconds(60)) }
        delay(300)
        job.cancelAndJoin()
        assertTrue(job.isCancelled)
        assertTrue(System.nanoTime() - started < 5_000_000_000, "cancellation took too long")
        assertFailsWith<TimeoutCancellationException> { withTimeout(300) { client.waitForPayment(unpaid) } }
        // The Rust side's own timeout is an error of kind TIMEOUT, naming the session.
        val e = assertFailsWith<DinteroException> { client.waitForPayment(unpaid, Duration.ofMillis(100), Duration.ofMillis(200)) }
        assertEquals(ErrorKind.TIMEOUT, e.kind())
        assertTrue(unpaid in e.message(), e.message())
        assertEquals(txId, client.transactions().get(txId).id, "the client still works after a cancellation")
    }

    @Test
    fun `no secret in any description`() {
        val client = Client(Emulator.ACCOUNT_ID, "id", "kt-client-secret-1", proxy = "http://user:proxy-password@127.0.0.1:3128")
        val verifier = CallbackVerifier("kt-signature-secret-2", Emulator.ACCOUNT_ID)
        for (shown in listOf(client.toString(), verifier.toString())) {
            assertFalse("kt-client-secret-1" in shown || "proxy-password" in shown || "kt-signature-secret-2" in shown, shown)
        }
        assertTrue(Emulator.ACCOUNT_ID in client.toString(), client.toString())
    }
}
