package com.dintero.checkout

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** The whole checkout, backend and app side, over real HTTP against the emulator. */
class CheckoutFlowTest {
    @Test
    fun `session, payment, return url, callback, capture and refund`() = runBlocking {
        val client = Emulator.client()
        val reference = Emulator.reference("flow")
        val created = client.sessions().create(Emulator.sessionRequest(Emulator.chairOrder(reference)))
        assertTrue(created.id.startsWith("T12345678."), created.id)
        assertTrue(created.url!!.startsWith(Emulator.baseUrl), created.url)
        assertTrue(created.json.contains("\"url\""))

        // The app: the customer pays on the hosted page and comes back to return_url.
        val returned = parseReturnUrl(Emulator.pay(created.id))
        assertEquals(ReturnOutcome.COMPLETED, returned.outcome)
        assertEquals(reference, returned.merchantReference)
        val txId = assertNotNull(returned.transactionId)

        // The backend: verify the signed callback, then confirm it against the transaction.
        val delivery = Emulator.callbackFor(txId)
        val headers = delivery.getJSONObject("headers").let { h -> h.keySet().associateWith { h.getString(it) } }
        val verifier = CallbackVerifier(Emulator.SIGNATURE_SECRET, Emulator.ACCOUNT_ID)
        val callback = verifier.verify(delivery.getString("method"), delivery.getString("url"), headers)
        assertEquals(txId, callback.transactionId)
        assertEquals(created.id, callback.sessionId)
        val confirmed = client.confirmCallback(callback)
        assertEquals(TransactionStatus.AUTHORIZED, confirmed.transaction.status)
        assertTrue(confirmed.transaction.isPaid)

        val tx = client.transactions().get(txId)
        assertEquals(33890L, tx.amount)
        assertEquals("NOK", tx.currency)
        assertEquals("AUTHORIZED", tx.statusRaw)
        assertEquals(created.id, tx.sessionId)
        assertEquals(listOf("1", "ship"), tx.items.map { it.lineId })
        assertTrue(tx.events.any { it.event == TransactionEventKind.AUTHORIZE && it.success == true })

        // Capture part, then the rest, then refund some.
        val first = client.transactions().capture(txId, CaptureRequest(amount = 29990, captureReference = "$reference-c1",
            items = listOf(OrderItem(lineId = "1", amount = 29990))))
        assertEquals(OperationState.COMPLETED, first.state)
        assertEquals("$reference-c1", first.reference)
        assertEquals(TransactionStatus.PARTIALLY_CAPTURED, first.transaction.status)
        assertEquals(29990L, first.transaction.capturedAmount)
        assertFalse(first.reconciled)

        val second = client.transactions().capture(txId, CaptureRequest(amount = 3900))
        assertNull(second.reference, "no reference given, none sent")
        assertEquals(TransactionStatus.CAPTURED, second.transaction.status)
        assertEquals(33890L, second.transaction.capturedAmount)

        val refund = client.transactions().refund(txId, RefundRequest(amount = 3900, reason = "shipping refunded"))
        assertEquals(TransactionStatus.PARTIALLY_REFUNDED, refund.transaction.status)
        assertEquals(3900L, refund.transaction.refundedAmount)

        val updated = client.transactions().update(txId, "erp-$reference")
        assertEquals("erp-$reference", updated.merchantReference2)
        assertEquals(1L, client.tokenRequests(), "one token serves every call")
    }

    @Test
    fun `declined card and cancelled payment come back as failed and cancelled`() = runBlocking {
        val client = Emulator.client()
        val declined = client.sessions().create(Emulator.sessionRequest())
        val failed = parseReturnUrl(Emulator.pay(declined.id, Emulator.DECLINE))
        assertEquals(ReturnOutcome.FAILED, failed.outcome)
        assertNotNull(failed.error)

        val abandoned = client.sessions().create(Emulator.sessionRequest())
        val cancelled = parseReturnUrl(Emulator.cancelPayment(abandoned.id))
        assertEquals(ReturnOutcome.CANCELLED, cancelled.outcome)
        assertEquals("cancelled", cancelled.error)
        assertNull(cancelled.transactionId)
    }

    @Test
    fun `capture survives a connection cut after Dintero applied it, exactly once`() = runBlocking {
        val client = Emulator.client()
        val created = client.sessions().create(Emulator.sessionRequest())
        val txId = parseReturnUrl(Emulator.pay(created.id)).transactionId!!
        Emulator.fault("capture", "reset_after_apply")
        val op = client.transactions().capture(txId, CaptureRequest(amount = 33890))
        assertTrue(op.reconciled, "the outcome was found by re-reading")
        assertEquals(TransactionStatus.CAPTURED, op.transaction.status)
        val captures = client.transactions().get(txId).events.filter { it.event == TransactionEventKind.CAPTURE }
        assertEquals(1, captures.size, "captured once, not twice")
        assertEquals(op.reference, captures.single().eventReference)
    }

    @Test
    fun `an outcome-unknown capture carries its reference, and the same call with it captures once`() = runBlocking {
        val client = Emulator.client(
            retry = RetryOptions(maxAttempts = 2, initialBackoff = java.time.Duration.ofMillis(10), maxBackoff = java.time.Duration.ofMillis(20)),
            timeout = java.time.Duration.ofSeconds(1),
        )
        val created = client.sessions().create(Emulator.sessionRequest())
        val txId = parseReturnUrl(Emulator.pay(created.id)).transactionId!!
        // Applied, the answer lost, and the transaction cannot be re-read to find out. (The read
        // before the capture passes: faults fire in order, and a 0 ms delay changes nothing.)
        Emulator.fault("capture", "reset_after_apply")
        Emulator.fault("get_transaction", "delay", ms = 0)
        Emulator.fault("get_transaction", "status_503", times = 20)
        val error = kotlin.test.assertFailsWith<DinteroException> {
            client.transactions().capture(txId, CaptureRequest(amount = 10000, captureReference = "cap-lost"))
        }
        assertTrue(error.outcomeUnknown, error.toString())
        val reference = assertNotNull(error.reference, error.toString())
        assertEquals("cap-lost", reference)
        Emulator.clearFaults()

        val op = client.transactions().capture(txId, CaptureRequest(amount = 10000, captureReference = reference))
        assertEquals(reference, op.reference)
        assertTrue(op.reconciled)
        val captures = client.transactions().get(txId).events.filter { it.event == TransactionEventKind.CAPTURE }
        assertEquals(listOf(reference), captures.map { it.eventReference }, "captured once")
    }

    @Test
    fun `a 202 answer is awaited with waitForEvent`() = runBlocking {
        val client = Emulator.client()
        val created = client.sessions().create(Emulator.sessionRequest())
        val txId = parseReturnUrl(Emulator.pay(created.id)).transactionId!!
        Emulator.fault("capture", "accepted_202")
        val op = client.transactions().capture(txId, CaptureRequest(amount = 33890))
        assertEquals(OperationState.ACCEPTED, op.state)
        val requestId = assertNotNull(op.eventRequestId)
        val done = client.transactions().waitForEvent(txId, requestId, java.time.Duration.ofSeconds(10))
        assertEquals(TransactionStatus.CAPTURED, done.status)
    }

    @Test
    fun `void and extend authorization`() = runBlocking {
        val client = Emulator.client()
        // Only a pre-authorized payment's authorization can change (Dintero answers 400 otherwise).
        val preAuthorized = Emulator.sessionRequest().copy(configurationJson = """{"pre_authorization": true}""")
        val txA = parseReturnUrl(Emulator.pay(client.sessions().create(preAuthorized).id)).transactionId!!
        val extended = client.transactions().extendAuthorization(txA, ExtendAuthorizationRequest(reason = "late delivery"))
        assertEquals(txA, extended.id)
        assertEquals(TransactionStatus.AUTHORIZED, extended.status)
        val voided = client.transactions().void(txA)
        assertEquals(TransactionStatus.AUTHORIZATION_VOIDED, voided.transaction.status)
        assertFalse(voided.transaction.isPaid)
    }

    @Test
    fun `waitForPayment sees the payment land`() = runBlocking {
        val client = Emulator.client()
        val created = client.sessions().create(Emulator.sessionRequest())
        val txId = parseReturnUrl(Emulator.pay(created.id)).transactionId
        val session = client.waitForPayment(created.id, java.time.Duration.ofMillis(100), java.time.Duration.ofSeconds(5))
        assertEquals(txId, session.transactionId)

        val unpaid = client.sessions().create(Emulator.sessionRequest())
        val e = kotlin.test.assertFailsWith<DinteroException.Timeout> {
            client.waitForPayment(unpaid.id, java.time.Duration.ofMillis(100), java.time.Duration.ofMillis(100))
        }
        assertTrue(e.detail.contains(unpaid.id), e.detail)
    }

    @Test
    fun `session requests are checked before sending`() {
        val noProfile = Emulator.sessionRequest().copy(profileId = null)
        val e = kotlin.test.assertFailsWith<DinteroException.InvalidInput> { validateSessionRequest(noProfile) }
        assertTrue(e.detail.contains("configuration"), e.detail)
        val badUrl = Emulator.sessionRequest().copy(url = SessionUrls(returnUrl = "not a url"))
        val u = kotlin.test.assertFailsWith<DinteroException.InvalidInput> { validateSessionRequest(badUrl) }
        assertTrue(u.detail.contains("url.return_url"), u.detail)
        validateSessionRequest(Emulator.sessionRequest())
    }
}
