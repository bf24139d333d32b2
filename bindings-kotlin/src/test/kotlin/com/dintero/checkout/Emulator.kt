package com.dintero.checkout

import com.dintero.checkout.models.Order
import com.dintero.checkout.models.OrderItem
import com.dintero.checkout.models.SessionRequest
import com.dintero.checkout.models.SessionUrls
import org.json.JSONArray
import org.json.JSONObject
import java.io.BufferedReader
import java.io.File
import java.io.InputStreamReader
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.time.Duration
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger

/**
 * The local Dintero the tests run against: `DINTERO_EMULATOR_URL` when the test script started
 * one, else the `dintero-emulator` binary started here as a child process (stopped at exit).
 * Test cards and fault kinds come from the emulator's own catalog (`GET /_emulator/catalog`).
 */
object Emulator {
    const val ACCOUNT_ID = "T12345678"
    const val CLIENT_ID = "emulator-client-id"
    const val CLIENT_SECRET = "emulator-client-secret"
    const val SIGNATURE_SECRET = "emulator-signature-secret"

    private val http: HttpClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
    private val counter = AtomicInteger()

    val baseUrl: String by lazy { System.getenv("DINTERO_EMULATOR_URL")?.trimEnd('/') ?: spawn() }

    /** The testdata directory (surface.json, scenario.json). */
    val testdata: File by lazy { File(System.getProperty("dintero.testdata") ?: "../testdata") }

    private fun spawn(): String {
        val bin = System.getProperty("dintero.emulator.bin")
            ?: System.getenv("DINTERO_EMULATOR_BIN")
            ?: error("set DINTERO_EMULATOR_URL or DINTERO_EMULATOR_BIN")
        require(File(bin).canExecute()) { "emulator binary not found at $bin (cargo build -p dintero-emulator)" }
        val process = ProcessBuilder(bin, "--listen", "127.0.0.1:0", "--quiet")
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start()
        Runtime.getRuntime().addShutdownHook(Thread {
            process.destroy()
            process.waitFor(5, TimeUnit.SECONDS)
        })
        val reader = BufferedReader(InputStreamReader(process.inputStream))
        while (true) {
            val line = reader.readLine() ?: error("the emulator exited before printing base_url")
            if (line.startsWith("base_url=")) {
                // Keep draining its stdout so it never blocks on a full pipe.
                Thread { reader.useLines { lines -> lines.forEach { } } }.apply { isDaemon = true }.start()
                return line.removePrefix("base_url=").trim()
            }
        }
    }

    /** Test card numbers by name, and the fault kinds, as the emulator publishes them. */
    val cards: Map<String, String> by lazy {
        val list = catalog.getJSONArray("cards")
        (0 until list.length()).associate { list.getJSONObject(it).let { c -> c.getString("name") to c.getString("number") } }
    }
    val faults: Set<String> by lazy {
        val list = catalog.getJSONArray("faults")
        (0 until list.length()).map { list.getJSONObject(it).getString("name") }.toSet()
    }
    private val catalog: JSONObject by lazy { JSONObject(get("/_emulator/catalog")) }

    fun client(
        retry: RetryOptions? = RetryOptions(initialBackoff = Duration.ofMillis(10), maxBackoff = Duration.ofMillis(50)),
        timeout: Duration? = null,
        secret: String = CLIENT_SECRET,
        baseUrl: String = this.baseUrl,
    ): Client = Client(ACCOUNT_ID, CLIENT_ID, secret, baseUrl = baseUrl, timeout = timeout, retry = retry)

    /** A merchant reference no other test uses. */
    fun reference(prefix: String = "kt"): String =
        "$prefix-${System.nanoTime().toString(36)}-${counter.incrementAndGet()}"

    fun sessionRequest(reference: String = reference(), extra: String = "{}"): SessionRequest = SessionRequest(
        url = SessionUrls(returnUrl = "https://shop.example/return", callbackUrl = "http://127.0.0.1:9/cb", extra = "{}"),
        order = Order(
            amount = 29990, currency = "NOK", merchantReference = reference, vatAmount = 5998,
            items = listOf(OrderItem(id = "chair", lineId = "1", description = "Chair", quantity = 1.0, amount = 29990, vatAmount = 5998, vat = 25.0, extra = "{}")),
            extra = "{}",
        ),
        profileId = "default",
        extra = extra,
    )

    private fun send(request: HttpRequest.Builder): Pair<Int, String> {
        val response = http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString())
        return response.statusCode() to response.body()
    }

    private fun post(path: String, body: JSONObject): JSONObject {
        val (status, text) = send(
            HttpRequest.newBuilder(URI.create(baseUrl + path)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())),
        )
        check(status == 200) { "POST $path: $status $text" }
        return JSONObject(text)
    }

    private fun get(path: String): String {
        val (status, text) = send(HttpRequest.newBuilder(URI.create(baseUrl + path)).GET())
        check(status == 200) { "GET $path: $status $text" }
        return text
    }

    /** The customer pays on the hosted page with the catalog's card `card`. */
    fun pay(sessionId: String, card: String = "approve"): JSONObject {
        val number = cards[card] ?: error("no card named $card in the emulator's catalog")
        return post("/_emulator/sessions/$sessionId/pay", JSONObject().put("card_number", number))
    }

    /** Makes the next `times` requests to `route` fail with `fault` (a kind from the catalog). */
    fun fault(route: String, fault: String, times: Int = 1, ms: Long? = null) {
        check(fault in faults) { "no fault kind $fault in the emulator's catalog" }
        val body = JSONObject().put("route", route).put("fault", fault).put("times", times)
        if (ms != null) body.put("ms", ms)
        post("/_emulator/faults", body)
    }

    /** Requests to `route` whose path names `id`, from the emulator's request log. */
    fun requestsTo(route: String, id: String): Int {
        val recent = JSONObject(get("/_emulator/requests")).getJSONArray("recent")
        return (0 until recent.length()).map { recent.getJSONObject(it) }
            .count { it.getString("route") == route && it.getString("path").contains(id) }
    }

    /** Waits for the signed callback about `transactionId`. */
    fun callbackFor(transactionId: String): JSONObject {
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10)
        while (System.nanoTime() < deadline) {
            val list = JSONArray(get("/_emulator/callbacks"))
            for (i in 0 until list.length()) {
                val cb = list.getJSONObject(i)
                // Headers are filled in when the first delivery attempt is made.
                val signed = cb.getJSONObject("headers").keySet().any { it.equals("dintero-signature", ignoreCase = true) }
                if (cb.getString("url").contains("transaction_id=$transactionId") && signed) return cb
            }
            Thread.sleep(50)
        }
        error("no callback for $transactionId")
    }
}
