// The Dintero checkout flow in Kotlin, against the local emulator (or Dintero itself).
//
//   DINTERO_EMULATOR_URL=http://127.0.0.1:8400 \
//   mvn -f bindings-kotlin/pom.xml test-compile exec:exec@example
//
// A backend creates the session and, after payment, verifies and confirms the callback and
// captures. The app in between only opens the session URL and reads its return_url: it never
// holds the client secret.
package com.dintero.checkout.examples

import com.dintero.checkout.CallbackVerifier
import com.dintero.checkout.Client
import com.dintero.checkout.DinteroException
import com.dintero.checkout.capturedAmount
import com.dintero.checkout.isPaid
import com.dintero.checkout.models.CaptureRequest
import com.dintero.checkout.models.Order
import com.dintero.checkout.models.OrderItem
import com.dintero.checkout.models.ReturnOutcome
import com.dintero.checkout.models.SessionRequest
import com.dintero.checkout.models.SessionUrls
import com.dintero.checkout.parseReturnUrl
import com.dintero.checkout.validateOrder
import com.dintero.checkout.value
import kotlinx.coroutines.runBlocking
import org.json.JSONArray
import org.json.JSONObject
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import kotlin.system.exitProcess

private fun env(name: String, default: String) = System.getenv(name)?.takeIf { it.isNotEmpty() } ?: default

fun main() = runBlocking {
    val base = System.getenv("DINTERO_EMULATOR_URL") ?: run {
        System.err.println("set DINTERO_EMULATOR_URL (start one: cargo run -p dintero-emulator)")
        exitProcess(2)
    }
    val http = HttpClient.newHttpClient()
    fun control(path: String, body: String? = null): String = http.send(
        HttpRequest.newBuilder(URI.create(base + path)).header("content-type", "application/json")
            .method(if (body == null) "GET" else "POST", body?.let { HttpRequest.BodyPublishers.ofString(it) } ?: HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString(),
    ).body()

    // --- backend -----------------------------------------------------------------------------
    val client = Client(
        accountId = env("DINTERO_ACCOUNT_ID", "T12345678"),
        clientId = env("DINTERO_CLIENT_ID", "emulator-client-id"),
        clientSecret = env("DINTERO_CLIENT_SECRET", "emulator-client-secret"),
        baseUrl = base,
        systemName = "kotlin-example",
        systemVersion = "1.0",
    )
    val orderId = "kt-example-${System.currentTimeMillis()}"
    val order = Order(
        amount = 29990, currency = "NOK", merchantReference = orderId, vatAmount = 5998,
        items = listOf(OrderItem(id = "chair", lineId = "1", description = "Chair", quantity = 1.0, amount = 29990, vatAmount = 5998, vat = 25.0, extra = "{}")),
        extra = "{}",
    )
    validateOrder(order)
    val session = client.sessions().create(
        SessionRequest(
            url = SessionUrls(returnUrl = "https://shop.example/return", callbackUrl = "http://127.0.0.1:9/dintero/callback", extra = "{}"),
            order = order,
            profileId = "default",
            extra = "{}",
        ),
    )
    println("session ${session.id}: send the customer to ${session.url}")

    // --- app: the customer pays on the hosted page (the emulator's control API plays them) ----
    val card = JSONObject(control("/_emulator/catalog")).getJSONArray("cards").getJSONObject(0)
    val paid = JSONObject(control("/_emulator/sessions/${session.id}/pay", JSONObject().put("card_number", card.getString("number")).toString()))
    val returned = parseReturnUrl(paid.getString("redirect_url"))
    println("app: paid with the ${card.getString("name")} test card; back with ${returned.outcome}, transaction ${returned.transactionId}")
    check(returned.outcome == ReturnOutcome.COMPLETED)

    // --- backend: the signed callback arrives; verify it, confirm it, capture ------------------
    var delivery: JSONObject? = null
    repeat(100) {
        if (delivery == null) {
            val list = JSONArray(control("/_emulator/callbacks"))
            delivery = (0 until list.length()).map { list.getJSONObject(it) }.firstOrNull {
                it.getString("url").contains("transaction_id=${returned.transactionId}") &&
                    it.getJSONObject("headers").keySet().any { k -> k.equals("dintero-signature", ignoreCase = true) }
            }
            if (delivery == null) Thread.sleep(50)
        }
    }
    val cb = checkNotNull(delivery) { "no callback arrived" }
    val headers = cb.getJSONObject("headers").let { h -> h.keySet().associateWith { h.getString(it) } }
    val verifier = CallbackVerifier(env("DINTERO_SIGNATURE_SECRET", "emulator-signature-secret"), client.accountId())
    val callback = verifier.verify(cb.getString("method"), cb.getString("url"), headers)
    val confirmed = client.callbacks().confirm(callback)
    println("backend: callback verified; transaction is ${confirmed.transaction.status?.value} (${confirmed.transaction.amount} øre)")
    check(confirmed.transaction.isPaid)

    val capture = client.transactions().capture(confirmed.transaction.id, CaptureRequest(amount = confirmed.transaction.amount, captureReference = "$orderId-capture", extra = "{}"))
    println("backend: captured ${capture.transaction.capturedAmount} with reference ${capture.reference}: ${capture.transaction.status?.value}")

    try {
        client.transactions().capture(confirmed.transaction.id, CaptureRequest(amount = 1, extra = "{}"))
    } catch (e: DinteroException) {
        println("backend: capturing more is refused as expected: ${e.kind().value} ($e)")
    }
    println("done")
}
