// A Ktor shop on Dintero Checkout: create a session and send the customer to it, receive the
// callback (dintero-checkout-ktor), capture when the order ships, refund when it comes back.
//
// `shop(...)` is the application a merchant writes. `runShopExample()` plays the rest against
// the emulator, with Ktor's test host (run by bindings-kotlin/ktor's tests, from
// scripts/uniffi-test.sh): a customer checks out and pays with a test card, the emulator's
// signed callback is delivered to the shop as Dintero would (to its public URL), then the shop
// ships and takes a return.
//
// (It lives in examples/ktor, not examples/kotlin, because the main Kotlin build compiles every
// file under examples/kotlin and has no Ktor.)
package com.dintero.checkout.examples.ktor

import com.dintero.checkout.CallbackVerifier
import com.dintero.checkout.Client
import com.dintero.checkout.Emulator
import com.dintero.checkout.isPaid
import com.dintero.checkout.value
import com.dintero.checkout.ktor.ReceiverSettings
import com.dintero.checkout.ktor.dinteroCallbacks
import com.dintero.checkout.models.CaptureRequest
import com.dintero.checkout.models.Order
import com.dintero.checkout.models.OrderItem
import com.dintero.checkout.models.ReceiptOutcome
import com.dintero.checkout.models.RefundRequest
import com.dintero.checkout.models.SessionRequest
import com.dintero.checkout.models.SessionUrls
import io.ktor.client.request.get
import io.ktor.client.request.header
import io.ktor.client.request.post
import io.ktor.client.statement.bodyAsText
import io.ktor.http.HttpHeaders
import io.ktor.http.HttpStatusCode
import io.ktor.server.application.Application
import io.ktor.server.response.respondRedirect
import io.ktor.server.response.respondText
import io.ktor.server.routing.get
import io.ktor.server.routing.post
import io.ktor.server.routing.routing
import io.ktor.server.testing.testApplication
import kotlinx.coroutines.runBlocking
import java.net.URI
import java.util.concurrent.ConcurrentHashMap

/** An order of the shop: what was sold, and where it stands. */
data class ShopOrder(val reference: String, val amount: Long, var state: String = "awaiting payment", var transactionId: String? = null)

/** The shop's routes. `publicUrl` is where Dintero reaches it (behind its proxy). */
fun Application.shop(client: Client, verifier: CallbackVerifier, publicUrl: String, orders: MutableMap<String, ShopOrder>) {
    routing {
        // The customer checks out: a session, and a redirect to Dintero's page.
        post("/checkout") {
            val reference = "ktor-shop-${System.nanoTime()}"
            val order = ShopOrder(reference, amount = 29990)
            orders[reference] = order
            val session = client.sessions().create(
                SessionRequest(
                    url = SessionUrls(returnUrl = "$publicUrl/return", callbackUrl = "$publicUrl/dintero/callback", extra = "{}"),
                    order = Order(
                        amount = order.amount, currency = "NOK", merchantReference = reference, vatAmount = 5998,
                        items = listOf(OrderItem(id = "chair", lineId = "1", description = "Chair", quantity = 1.0, amount = 29990, vatAmount = 5998, vat = 25.0, extra = "{}")),
                        extra = "{}",
                    ),
                    profileId = "default",
                    extra = "{}",
                ),
            )
            call.respondRedirect(checkNotNull(session.url) { "session ${session.id} has no url" })
        }

        // Dintero's callback: confirmed against the transaction by the SDK before we see it.
        dinteroCallbacks(client, verifier, settings = ReceiverSettings(publicUrl = publicUrl)) { receipt ->
            val tx = receipt.transaction
            if (receipt.outcome == ReceiptOutcome.CONFIRMED && tx != null && tx.isPaid) {
                orders[tx.merchantReference]?.let { it.state = "paid"; it.transactionId = tx.id }
            }
        }

        post("/orders/{reference}/ship") {
            val order = orders[call.parameters["reference"]]
            val tx = order?.transactionId
            if (order == null || tx == null || order.state != "paid") return@post call.respondText("not payable", status = HttpStatusCode.Conflict)
            // The reference makes the capture exactly-once, even if this request is repeated.
            client.transactions().capture(tx, CaptureRequest(amount = order.amount, captureReference = "${order.reference}-ship", extra = "{}"))
            order.state = "shipped"
            call.respondText(order.state)
        }

        post("/orders/{reference}/return") {
            val order = orders[call.parameters["reference"]]
            val tx = order?.transactionId
            if (order == null || tx == null || order.state != "shipped") return@post call.respondText("nothing to refund", status = HttpStatusCode.Conflict)
            client.transactions().refund(tx, RefundRequest(amount = order.amount, reason = "returned", refundReference = "${order.reference}-return", extra = "{}"))
            order.state = "refunded"
            call.respondText(order.state)
        }

        get("/orders/{reference}") {
            call.respondText(orders[call.parameters["reference"]]?.state ?: "no such order")
        }
    }
}

/** The shop, a customer and Dintero (the emulator), end to end. Returns the orders. */
fun runShopExample(): Map<String, ShopOrder> {
    val publicUrl = "https://shop.example"
    val client = Emulator.client()
    val verifier = CallbackVerifier(Emulator.SIGNATURE_SECRET, Emulator.ACCOUNT_ID)
    val orders = ConcurrentHashMap<String, ShopOrder>()
    testApplication {
        application { shop(client, verifier, publicUrl, orders) }
        val http = createClient { followRedirects = false }

        val checkout = http.post("/checkout")
        val sessionUrl = checkout.headers[HttpHeaders.Location] ?: error("no redirect: ${checkout.status}")
        println("customer: sent to $sessionUrl")

        // The customer pays on Dintero's page (the emulator's control API plays them).
        val sessionId = sessionUrl.substringAfterLast('/').substringBefore('?')
        val transactionId = Emulator.pay(sessionId).getString("transaction_id")

        // Dintero calls the shop back at its public URL; the proxy passes it on to the app.
        val delivery = Emulator.callbackFor(transactionId)
        val url = URI(delivery.getString("url"))
        val signatureHeader = delivery.getJSONObject("headers").let { h -> h.keySet().first { it.equals("dintero-signature", ignoreCase = true) }.let(h::getString) }
        val answer = http.get("${url.rawPath}?${url.rawQuery}") {
            header(HttpHeaders.Host, "10.0.0.7:8080")
            header("Dintero-Signature", signatureHeader)
        }
        println("dintero: callback answered ${answer.status.value} ${answer.bodyAsText()}")
        check(answer.status == HttpStatusCode.OK)

        val reference = orders.keys.single()
        check(http.get("/orders/$reference").bodyAsText() == "paid")
        println("shop: ship -> ${http.post("/orders/$reference/ship").bodyAsText()}")
        println("shop: return -> ${http.post("/orders/$reference/return").bodyAsText()}")
    }
    val tx = runBlocking { client.transactions().get(orders.values.single().transactionId!!, emptyList()) }
    println("dintero: transaction ${tx.id} is ${tx.status?.value}")
    check(tx.status?.value == "REFUNDED") { "expected REFUNDED, got ${tx.status?.value}" }
    return orders
}
