// Benchmark harness (prints figures; asserts nothing about speed). Run by scripts/kotlin-bench.sh
// against a release emulator and a release build of the uniffi library.
package com.dintero.checkout.bench

import com.dintero.checkout.Client
import com.dintero.checkout.computeSignature
import com.dintero.checkout.models.Order
import com.dintero.checkout.models.OrderItem
import com.dintero.checkout.models.SessionRequest
import com.dintero.checkout.models.SessionUrls
import com.dintero.checkout.parseReturnUrl
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.runBlocking
import org.json.JSONObject
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse

private fun micros(nanos: Long) = "%.1f µs".format(nanos / 1000.0)

private fun report(name: String, samples: LongArray) {
    samples.sort()
    val mean = samples.average().toLong()
    val p50 = samples[samples.size / 2]
    val p99 = samples[(samples.size * 99) / 100]
    println("%-42s n=%-6d mean %-10s p50 %-10s p99 %s".format(name, samples.size, micros(mean), micros(p50), micros(p99)))
}

private inline fun timeEach(n: Int, body: () -> Unit): LongArray = LongArray(n) {
    val t0 = System.nanoTime()
    body()
    System.nanoTime() - t0
}

fun main() = runBlocking {
    val base = System.getenv("DINTERO_EMULATOR_URL") ?: error("set DINTERO_EMULATOR_URL")
    val client = Client("T12345678", "emulator-client-id", "emulator-client-secret", baseUrl = base)
    val order = Order(amount = 10000, currency = "NOK", merchantReference = "bench-${System.nanoTime()}",
        items = listOf(OrderItem(lineId = "1", amount = 10000, vat = 25.0, vatAmount = 2000, extra = "{}")), extra = "{}")
    val session = client.sessions().create(SessionRequest(url = SessionUrls(returnUrl = "https://shop.example/return", extra = "{}"), order = order, profileId = "default", extra = "{}"))
    val http = HttpClient.newHttpClient()
    // The emulator's first test card ("approve"), from its catalog.
    val catalog = http.send(HttpRequest.newBuilder(URI.create("$base/_emulator/catalog")).build(), HttpResponse.BodyHandlers.ofString())
    val card = JSONObject(catalog.body()).getJSONArray("cards").getJSONObject(0).getString("number")
    val pay = http.send(
        HttpRequest.newBuilder(URI.create("$base/_emulator/sessions/${session.id}/pay"))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(JSONObject().put("card_number", card).toString())).build(),
        HttpResponse.BodyHandlers.ofString(),
    )
    val redirect = JSONObject(pay.body()).getString("redirect_url")
    val txId = parseReturnUrl(redirect).transactionId!!

    println("Kotlin/JVM over uniffi (release library), emulator at $base")
    // Warm up the JIT and the connection pool.
    repeat(20_000) { parseReturnUrl(redirect) }
    repeat(300) { client.transactions().get(txId) }

    report("parseReturnUrl (FFI round trip, no I/O)", timeEach(100_000) { parseReturnUrl(redirect) })
    report("computeSignature (HMAC-SHA256)", timeEach(50_000) {
        computeSignature("secret", "T12345678", "GET", redirect, 1_700_000_000)
    })
    report("transactions().get (HTTP, sequential)", timeEach(2_000) { runBlocking { client.transactions().get(txId) } })

    val workers = 8
    val perWorker = 500
    val t0 = System.nanoTime()
    (1..workers).map { async(Dispatchers.Default) { repeat(perWorker) { client.transactions().get(txId) } } }.awaitAll()
    val seconds = (System.nanoTime() - t0) / 1e9
    println("%-42s %d calls in %.2f s = %.0f calls/s".format("transactions().get ($workers concurrent)", workers * perWorker, seconds, workers * perWorker / seconds))
    println("token requests: ${client.tokenRequests()}")
}
