package com.dintero.checkout

import ch.qos.logback.classic.Level
import ch.qos.logback.classic.spi.ILoggingEvent
import ch.qos.logback.core.read.ListAppender
import com.dintero.checkout.models.CaptureRequest
import com.dintero.checkout.models.LogLevel
import kotlinx.coroutines.runBlocking
import org.json.JSONObject
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.slf4j.LoggerFactory
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.time.Duration
import java.util.Base64
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue

/**
 * Slf4jLogger against the emulator, captured by a real SLF4J backend (logback's ListAppender):
 * a whole flow with faults (a 503 then success, a capture cut after it was applied and then
 * reconciled, an expired token refused and fetched again) is logged at debug and info, and
 * searched for every secret the emulator issued.
 */
class LogTest {
    private val slf = LoggerFactory.getLogger(Slf4jLogger.NAME) as ch.qos.logback.classic.Logger
    private val appender = ListAppender<ILoggingEvent>()

    @BeforeEach
    fun attach() {
        appender.start()
        slf.addAppender(appender)
        slf.level = Level.DEBUG
        slf.isAdditive = false
    }

    @AfterEach
    fun detach() {
        slf.detachAppender(appender)
        slf.level = null
        slf.isAdditive = true
    }

    private fun client(): Client = Client(
        Emulator.ACCOUNT_ID,
        Emulator.CLIENT_ID,
        Emulator.CLIENT_SECRET,
        baseUrl = Emulator.baseUrl,
        retry = RetryOptions(initialBackoff = Duration.ofMillis(10), maxBackoff = Duration.ofMillis(50)),
        logger = Slf4jLogger(),
    )

    private val http = HttpClient.newHttpClient()

    private fun post(path: String, body: JSONObject, basic: String? = null): JSONObject {
        val request = HttpRequest.newBuilder(URI.create(Emulator.baseUrl + path))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
        if (basic != null) request.header("authorization", "Basic $basic")
        val response = http.send(request.build(), HttpResponse.BodyHandlers.ofString())
        check(response.statusCode() == 200) { "POST $path: ${response.statusCode()} ${response.body()}" }
        return JSONObject(response.body())
    }

    /** A token fetched without the SDK, to learn what the emulator's tokens look like. */
    private fun rawToken(): String {
        val basic = Base64.getEncoder().encodeToString("${Emulator.CLIENT_ID}:${Emulator.CLIENT_SECRET}".toByteArray())
        val body = JSONObject().put("grant_type", "client_credentials")
            .put("audience", "${Emulator.baseUrl}/v1/accounts/${Emulator.ACCOUNT_ID}")
        return post("/v1/accounts/${Emulator.ACCOUNT_ID}/auth/token", body, basic).getString("access_token")
    }

    private fun ILoggingEvent.kv(): Map<String, Any?> = keyValuePairs.orEmpty().associate { it.key to it.value }

    private fun text(): String = appender.list.joinToString("\n") { "${it.level} ${it.loggerName} ${it.formattedMessage} ${it.kv()}" }

    @Test
    fun `a whole flow with faults is logged without a secret`() = runBlocking {
        val token = rawToken()
        val jwtHeader = token.substringBefore('.')
        assertTrue(jwtHeader.length > 10 && token.count { it == '.' } == 2, "the emulator issues JWTs")
        val client = client()
        val created = client.sessions().create(Emulator.sessionRequest())
        val tx = Emulator.pay(created.id).getString("transaction_id")
        Emulator.fault("get_transaction", "status_503")
        client.transactions().get(tx)
        val reference = Emulator.reference("cap-kt-logs")
        Emulator.fault("capture", "reset_after_apply")
        val op = client.transactions().capture(tx, CaptureRequest(amount = 1000, captureReference = reference, extra = "{}"))
        assertTrue(op.reconciled)
        // Past the token's lifetime: the cached token is refused and a new one fetched.
        post("/_emulator/clock/advance", JSONObject().put("seconds", 14400 + 60))
        client.transactions().get(tx)

        val events = appender.list.toList()
        val text = text()
        assertTrue(events.all { it.loggerName == "dintero_checkout" }, text)
        val attempts = events.filter { it.level == Level.DEBUG && it.kv()["event"] in setOf("request", "request failed") }
        val gets = attempts.filter { it.kv()["method"] == "GET" && it.kv()["path"] == "/v1/transactions/$tx" }
        assertTrue(gets.any { it.kv()["status"] == 503L && it.kv()["attempt"] == 1L }, text)
        assertTrue(gets.any { it.kv()["status"] == 200L && it.kv()["attempt"] == 2L }, text)
        val answered = attempts.filter { it.kv()["event"] == "request" }
        assertTrue(answered.isNotEmpty(), text)
        for (e in answered) {
            val kv = e.kv()
            assertTrue(kv["duration_ms"] is Long, text)
            assertTrue((kv["request_id"] as? String).orEmpty().isNotEmpty(), text)
            for (name in listOf("method", "path", "status", "attempt", "duration_ms", "request_id")) {
                assertTrue("$name=${kv[name]}" in e.formattedMessage, e.formattedMessage)
            }
        }
        val infos = events.filter { it.level == Level.INFO }
        assertTrue(infos.any { "retrying" in it.formattedMessage }, text)
        assertTrue(infos.any { "fetching an access token" in it.formattedMessage }, text)
        assertTrue(infos.any { "refused (401)" in it.formattedMessage }, text)
        assertTrue(infos.any { "reconciled" in it.formattedMessage && it.kv()["reference"] == reference }, text)
        assertTrue(client.tokenRequests() >= 2uL)

        for (secret in listOf(Emulator.CLIENT_SECRET, Emulator.SIGNATURE_SECRET, token, jwtHeader, Emulator.cards.getValue("approve"))) {
            assertFalse(secret in text, "a secret reached the logs")
        }
        assertFalse("bearer" in text.lowercase(), text)
    }

    @Test
    fun `the SLF4J level is read on every call`() = runBlocking {
        val sink = Slf4jLogger()
        val levels = listOf(LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN)
        slf.level = Level.INFO
        assertEquals(listOf(false, true, true), levels.map(sink::enabled))
        slf.level = Level.DEBUG
        assertEquals(listOf(true, true, true), levels.map(sink::enabled))
        slf.level = Level.ERROR
        assertEquals(listOf(false, false, false), levels.map(sink::enabled))
        val client = client()
        slf.level = Level.WARN
        val created = client.sessions().create(Emulator.sessionRequest())
        val tx = Emulator.pay(created.id).getString("transaction_id")
        client.transactions().get(tx)
        assertEquals(emptyList(), appender.list.map { it.formattedMessage })
        slf.level = Level.INFO
        Emulator.fault("get_transaction", "status_503")
        client.transactions().get(tx)
        assertTrue(appender.list.isNotEmpty() && appender.list.all { it.level == Level.INFO }, text())
    }

    @Test
    fun `a logger that throws never breaks the request`() = runBlocking {
        val client = Client(
            Emulator.ACCOUNT_ID, Emulator.CLIENT_ID, Emulator.CLIENT_SECRET, baseUrl = Emulator.baseUrl,
            logger = object : LogSink {
                override fun enabled(level: LogLevel) = true
                override fun log(record: com.dintero.checkout.models.LogRecord) = throw IllegalStateException("logger bug")
            },
        )
        assertTrue(client.sessions().create(Emulator.sessionRequest()).id.isNotEmpty())
    }
}
