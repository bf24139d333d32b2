package com.dintero.checkout

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
 */
object Emulator {
    const val ACCOUNT_ID = "T12345678"
    const val CLIENT_ID = "emulator-client-id"
    const val CLIENT_SECRET = "emulator-client-secret"
    const val SIGNATURE_SECRET = "emulator-signature-secret"
    const val APPROVE = "4000 0000 0000 0002"
    const val DECLINE = "4100 0000 0000 0076"

    private val http: HttpClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
    private val counter = AtomicInteger()

    val baseUrl: String by lazy { System.getenv("DINTERO_EMULATOR_URL")?.trimEnd('/') ?: spawn() }

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

    fun client(
        retry: RetryOptions? = RetryOptions(initialBackoff = Duration.ofMillis(10), maxBackoff = Duration.ofMillis(50)),
        timeout: Duration? = null,
        secret: String = CLIENT_SECRET,
    ): DinteroClient = DinteroClient(
        accountId = ACCOUNT_ID,
        clientId = CLIENT_ID,
        clientSecret = secret,
        options = ClientOptions(baseUrl = baseUrl, timeout = timeout, retry = retry),
    )

    /** A merchant reference no other test uses. */
    fun reference(prefix: String = "kt"): String =
        "$prefix-${System.nanoTime().toString(36)}-${counter.incrementAndGet()}"

    fun chairOrder(reference: String = reference()): Order = buildOrder(
        currency = "NOK",
        merchantReference = reference,
        items = listOf(
            OrderItem(lineId = "1", id = "chair", description = "Chair", quantity = 1.0, amount = 29990, vat = 25.0, vatAmount = 5998),
        ),
        shippingOption = ShippingOption(id = "pickup", lineId = "ship", amount = 3900, title = "Pick-up", vat = 25.0, vatAmount = 780),
    )

    fun sessionRequest(order: Order = chairOrder()): SessionRequest = SessionRequest(
        url = SessionUrls(returnUrl = "https://shop.example/return", callbackUrl = "http://127.0.0.1:9/cb"),
        order = order,
        profileId = "default",
    )

    private fun post(path: String, body: JSONObject): Pair<Int, String> {
        val request = HttpRequest.newBuilder(URI.create(baseUrl + path))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
            .timeout(Duration.ofSeconds(30))
            .build()
        val response = http.send(request, HttpResponse.BodyHandlers.ofString())
        return response.statusCode() to response.body()
    }

    private fun get(path: String): String {
        val request = HttpRequest.newBuilder(URI.create(baseUrl + path)).GET().timeout(Duration.ofSeconds(30)).build()
        val response = http.send(request, HttpResponse.BodyHandlers.ofString())
        check(response.statusCode() == 200) { "GET $path: ${response.statusCode()} ${response.body()}" }
        return response.body()
    }

    /** The customer pays on the hosted page. Returns the redirect URL the browser is sent to. */
    fun pay(sessionId: String, card: String = APPROVE): String {
        val (status, body) = post("/_emulator/sessions/$sessionId/pay", JSONObject().put("card_number", card))
        check(status == 200) { "pay: $status $body" }
        return JSONObject(body).getString("redirect_url")
    }

    /** The customer cancels on the hosted page. */
    fun cancelPayment(sessionId: String): String {
        val (status, body) = post("/_emulator/sessions/$sessionId/pay", JSONObject().put("cancel", true))
        check(status == 200) { "cancel: $status $body" }
        return JSONObject(body).getString("redirect_url")
    }

    /** Makes the next `times` requests to `route` fail with `fault`. */
    fun fault(route: String, fault: String, times: Int = 1, ms: Long? = null, retryAfter: Int? = null) {
        val body = JSONObject().put("route", route).put("fault", fault).put("times", times)
        if (ms != null) body.put("ms", ms)
        if (retryAfter != null) body.put("retry_after", retryAfter)
        val (status, text) = post("/_emulator/faults", body)
        check(status == 200) { "fault: $status $text" }
    }

    /** Disarms every fault that has not fired yet. */
    fun clearFaults() {
        val request = HttpRequest.newBuilder(URI.create("$baseUrl/_emulator/faults"))
            .DELETE()
            .timeout(Duration.ofSeconds(30))
            .build()
        val response = http.send(request, HttpResponse.BodyHandlers.ofString())
        check(response.statusCode() == 200) { "clear faults: ${response.statusCode()} ${response.body()}" }
    }

    /** The callbacks the emulator has sent (or tried to send). */
    fun callbacks(): JSONArray = JSONArray(get("/_emulator/callbacks"))

    /** Requests seen per route. */
    fun requestCount(route: String): Int = JSONObject(get("/_emulator/requests")).getJSONObject("counts").optInt(route, 0)

    /** Waits for the callback about `transactionId`. */
    fun callbackFor(transactionId: String): JSONObject {
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10)
        while (System.nanoTime() < deadline) {
            val list = callbacks()
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
