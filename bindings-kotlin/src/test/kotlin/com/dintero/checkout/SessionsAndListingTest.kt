package com.dintero.checkout

import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

class SessionsAndListingTest {
    @Test
    fun `get, update and cancel a session`() = runBlocking {
        val client = Emulator.client()
        val reference = Emulator.reference("sess")
        val created = client.sessions().create(Emulator.sessionRequest(Emulator.chairOrder(reference)), includeSession = true)
        val included = assertNotNull(created.session, "includeSession returns the session")
        assertEquals(created.id, included.id)

        val session = client.sessions().get(created.id)
        assertEquals(33890L, session.order?.amount)
        assertEquals(reference, session.order?.merchantReference)
        assertNull(session.transactionId)
        assertEquals("https://shop.example/return", session.url?.returnUrl)

        val original = assertNotNull(session.order)
        val cheaper = buildOrder("NOK", reference, listOf(OrderItem(lineId = "1", description = "Stool", amount = 9990, vat = 25.0, vatAmount = 1998)),
            shippingOption = original.shippingOption)
        val updated = client.sessions().update(created.id, cheaper, updateWithoutLock = true)
        assertEquals(9990L + 3900L, updated.order?.amount)
        assertEquals(listOf("1"), updated.order?.items?.map { it.lineId })

        val cancelled = client.sessions().cancel(created.id)
        assertNotNull(cancelled.cancelledAt)
        assertTrue(cancelled.json.contains("cancelled_at"))
    }

    @Test
    fun `create and update from JSON text`() = runBlocking {
        val client = Emulator.client()
        val json = """
            {"url": {"return_url": "https://shop.example/return"},
             "order": {"amount": 29990, "currency": "NOK", "merchant_reference": "${Emulator.reference("json")}",
               "items": [{"line_id": "1", "description": "Chair", "quantity": 1, "amount": 29990, "vat": 25, "vat_amount": 5998}]},
             "profile_id": "default", "metadata": {"shop": "kotlin-test"}}
        """.trimIndent()
        val created = client.sessions().createJson(json)
        val session = client.sessions().get(created.id)
        assertEquals(29990L, session.order?.amount)
        val after = client.sessions().updateJson(
            created.id,
            """{"order": {"amount": 100, "currency": "NOK", "merchant_reference": "x", "items": [{"line_id": "a", "amount": 100}]}}""",
            updateWithoutLock = true,
        )
        assertEquals(100L, after.order?.amount)
    }

    @Test
    fun `listing walks every page`() = runBlocking {
        val client = Emulator.client()
        val reference = Emulator.reference("list")
        val ids = (1..3).map {
            val s = client.sessions().create(Emulator.sessionRequest(Emulator.chairOrder(reference)))
            parseReturnUrl(Emulator.pay(s.id)).transactionId!!
        }.toSet()

        val pager = client.transactions().list(TransactionFilter(limit = 2, merchantReference = reference))
        val firstPage = assertNotNull(pager.nextPage())
        assertEquals(2, firstPage.size, "pages have the requested size")
        val rest = pager.collectAll()
        assertEquals(ids, (firstPage + rest).map { it.id }.toSet())
        assertNull(pager.next(), "the pager is exhausted")

        val viaFlow = client.transactions()
            .list(TransactionFilter(limit = 1, merchantReference = reference, statuses = listOf(TransactionStatus.AUTHORIZED)))
            .asFlow().toList()
        assertEquals(ids, viaFlow.map { it.id }.toSet())
        assertTrue(viaFlow.all { it.merchantReference == reference })
    }

    @Test
    fun `concurrent calls share one token`() = runBlocking {
        val client = Emulator.client()
        val created = client.sessions().create(Emulator.sessionRequest())
        val sessions = (1..8).map { async { client.sessions().get(created.id) } }.awaitAll()
        assertTrue(sessions.all { it.id == created.id })
        assertEquals(1L, client.tokenRequests())
        assertEquals(1L, client.authenticate(), "authenticate reuses the cached token")
    }
}
