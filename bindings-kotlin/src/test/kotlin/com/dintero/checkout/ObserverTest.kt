package com.dintero.checkout

import com.dintero.checkout.models.RequestEvent
import com.dintero.checkout.models.RequestPhase
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import java.time.Duration
import java.util.Collections
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

/** The RequestObserver callback interface and the request id on every answer, against the emulator. */
class ObserverTest {
    private fun client(observer: RequestObserver): Client = Client(
        Emulator.ACCOUNT_ID,
        Emulator.CLIENT_ID,
        Emulator.CLIENT_SECRET,
        baseUrl = Emulator.baseUrl,
        retry = RetryOptions(initialBackoff = Duration.ofMillis(10), maxBackoff = Duration.ofMillis(50)),
        onRequest = observer,
    )

    @Test
    fun `an observer sees start and end of every attempt with status and request id`() = runBlocking {
        val events = Collections.synchronizedList(mutableListOf<RequestEvent>())
        val client = client(object : RequestObserver {
            override fun onRequest(event: RequestEvent) {
                events.add(event)
            }
        })
        val created = client.sessions().create(Emulator.sessionRequest())
        assertNotNull(created.requestId)
        assertEquals(events.last().requestId, created.requestId)
        val tx = Emulator.pay(created.id).getString("transaction_id")
        events.clear()
        Emulator.fault("get_transaction", "status_503")
        val read = client.transactions().get(tx)
        assertEquals(
            listOf(RequestPhase.START to null, RequestPhase.END to 503, RequestPhase.START to null, RequestPhase.END to 200),
            events.map { it.phase to it.status?.toInt() },
        )
        assertTrue(events.all { it.method == "GET" && it.path == "/v1/transactions/$tx" })
        assertNotNull(read.requestId)
        assertEquals(events.last().requestId, read.requestId)
    }

    @Test
    fun `a throwing observer never breaks the request`() = runBlocking {
        val client = client(object : RequestObserver {
            override fun onRequest(event: RequestEvent) {
                throw IllegalStateException("observer bug")
            }
        })
        assertTrue(client.sessions().create(Emulator.sessionRequest()).id.isNotEmpty())
    }
}
