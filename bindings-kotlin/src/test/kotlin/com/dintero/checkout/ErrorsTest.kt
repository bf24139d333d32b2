package com.dintero.checkout

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import java.time.Duration
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

class ErrorsTest {
    @Test
    fun `unknown transaction is NotFound with status and request id`() = runBlocking {
        val e = assertFailsWith<DinteroException.NotFound> {
            Emulator.client().transactions().get("T12345678.doesnotexist")
        }
        assertEquals(ErrorKind.NOT_FOUND, e.kind)
        assertEquals("not_found", e.kind.value)
        assertEquals(404, e.status)
        assertNotNull(e.requestId, "Dintero's request id is kept")
        assertTrue(e.toString().startsWith("not_found: "), e.toString())
        assertTrue(e.message!!.contains("status=404"))
    }

    @Test
    fun `bad input names the field and sends nothing`() = runBlocking {
        val client = Emulator.client()
        val order = Emulator.chairOrder().copy(amount = 1)
        val e = assertFailsWith<DinteroException.InvalidInput> {
            client.sessions().create(Emulator.sessionRequest(order))
        }
        assertTrue(e.detail.contains("order.amount"), e.detail)
        assertEquals(null, e.status, "refused before any request")

        val badId = assertFailsWith<DinteroException.InvalidInput> { client.transactions().get("not an id/../") }
        assertTrue(badId.detail.contains("transaction_id"), badId.detail)

        val badJson = assertFailsWith<DinteroException.InvalidInput> { client.sessions().createJson("{not json") }
        assertTrue(badJson.detail.contains("session"), badJson.detail)

        val badFilter = assertFailsWith<DinteroException.InvalidInput> { client.transactions().list(TransactionFilter(limit = -5)) }
        assertTrue(badFilter.detail.contains("filter.limit"), badFilter.detail)

        val badLine = assertFailsWith<DinteroException.InvalidInput> {
            validateOrder(Emulator.chairOrder().let { o -> o.copy(items = o.items + o.items.first().copy()) })
        }
        assertTrue(badLine.detail.contains("order.items[1].line_id"), badLine.detail)
        assertEquals(ErrorKind.INVALID_INPUT, badLine.kind)
    }

    @Test
    fun `client settings are checked and the secret never shows`() {
        val secret = "kotlin-super-secret-value"
        val e = assertFailsWith<DinteroException.InvalidInput> { DinteroClient("X123", "id", secret) }
        assertTrue(e.detail.contains("account_id"), e.detail)
        assertFalse(e.toString().contains(secret))
        assertFalse(e.message!!.contains(secret))

        val http = assertFailsWith<DinteroException.InvalidInput> {
            DinteroClient("T12345678", "id", secret, ClientOptions(baseUrl = "http://example.com"))
        }
        assertTrue(http.detail.contains("base_url"), http.detail)

        val client = DinteroClient("T12345678", "id", secret, proxy = "http://user:proxy-password@127.0.0.1:3128")
        val shown = client.toString()
        assertTrue(shown.contains("T12345678"), shown)
        assertFalse(shown.contains(secret), shown)
        assertFalse(shown.contains("proxy-password"), shown)

        val verifier = CallbackVerifier("signature-secret-xyz", "T12345678")
        assertFalse(verifier.toString().contains("signature-secret-xyz"), verifier.toString())
    }

    @Test
    fun `wrong credentials are an Authentication error without the secret`() = runBlocking {
        val e = assertFailsWith<DinteroException.Authentication> {
            Emulator.client(secret = "wrong-secret-123").authenticate()
        }
        assertEquals(401, e.status)
        assertFalse(e.toString().contains("wrong-secret-123"))
    }

    @Test
    fun `transient failures are retried, and reported when retries run out`() = runBlocking {
        val client = Emulator.client()
        val created = client.sessions().create(Emulator.sessionRequest())
        Emulator.fault("get_session", "status_503", times = 2)
        assertEquals(created.id, client.sessions().get(created.id).id, "two 503s, then success")

        val noRetry = Emulator.client(retry = RetryOptions(maxAttempts = 1))
        Emulator.fault("get_session", "status_500")
        val e = assertFailsWith<DinteroException.Server> { noRetry.sessions().get(created.id) }
        assertEquals(500, e.status)
        assertTrue(e.isTransient)
    }

    @Test
    fun `a slow answer is a Timeout`() = runBlocking {
        val client = Emulator.client(retry = RetryOptions(maxAttempts = 1), timeout = Duration.ofMillis(200))
        val created = Emulator.client().sessions().create(Emulator.sessionRequest())
        Emulator.fault("get_session", "delay", ms = 1500)
        val e = assertFailsWith<DinteroException.Timeout> { client.sessions().get(created.id) }
        assertEquals(ErrorKind.TIMEOUT, e.kind)
    }

    @Test
    fun `a closed port is a Network error`() = runBlocking {
        val client = DinteroClient(Emulator.ACCOUNT_ID, Emulator.CLIENT_ID, Emulator.CLIENT_SECRET,
            ClientOptions(baseUrl = "http://127.0.0.1:9", retry = RetryOptions(maxAttempts = 1)))
        val e = assertFailsWith<DinteroException.Network> { client.authenticate() }
        assertEquals(ErrorKind.NETWORK, e.kind)
    }

    @Test
    fun `every kind has its snake_case name`() {
        val names = ErrorKind.entries.map { it.value }
        assertEquals(
            listOf("invalid_input", "authentication", "permission", "not_found", "conflict", "rate_limited",
                "server", "network", "timeout", "decode", "signature"),
            names,
        )
    }
}
