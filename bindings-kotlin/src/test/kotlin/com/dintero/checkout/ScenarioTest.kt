package com.dintero.checkout

import com.dintero.checkout.models.CaptureRequest
import com.dintero.checkout.models.Order
import com.dintero.checkout.models.OrderItem
import com.dintero.checkout.models.RefundRequest
import com.dintero.checkout.models.SessionRequest
import com.dintero.checkout.models.SessionUrls
import kotlinx.coroutines.runBlocking
import org.json.JSONObject
import org.junit.jupiter.api.Test
import java.io.File
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import kotlin.test.fail

/** The shared end-to-end scenario (testdata/scenario.json), interpreted step by step. */
class ScenarioTest {
    private val scenario = JSONObject(File(Emulator.testdata, "scenario.json").readText())
    private val vars = mutableMapOf<String, Any?>("session_request" to scenario.getJSONObject("session_request"))

    /** `$name` → the saved value; objects and arrays are resolved member by member. */
    private fun resolve(v: Any?): Any? = when {
        v is String && v.startsWith("$") -> vars.getOrElse(v.drop(1)) { fail("scenario: $v was never saved") }
        else -> v
    }

    private fun JSONObject.only(vararg keys: String): JSONObject = also {
        val unknown = keySet() - keys.toSet()
        assertTrue(unknown.isEmpty(), "scenario: fields this interpreter does not map: $unknown")
    }

    private fun item(j: JSONObject) = j.only("id", "line_id", "description", "quantity", "amount", "vat_amount", "vat").let {
        OrderItem(
            id = it.optString("id", null), lineId = it.optString("line_id", null), description = it.optString("description", null),
            quantity = it.optDouble("quantity"), amount = it.getLong("amount"), vatAmount = it.optLong("vat_amount"),
            vat = it.optDouble("vat"), extra = "{}",
        )
    }

    private fun sessionRequest(j: JSONObject): SessionRequest {
        j.only("profile_id", "url", "order")
        val url = j.getJSONObject("url").only("return_url", "callback_url")
        val order = j.getJSONObject("order").only("amount", "currency", "merchant_reference", "vat_amount", "items")
        val items = order.getJSONArray("items")
        return SessionRequest(
            url = SessionUrls(returnUrl = url.getString("return_url"), callbackUrl = url.optString("callback_url", null), extra = "{}"),
            order = Order(
                amount = order.getLong("amount"), currency = order.getString("currency"),
                merchantReference = order.getString("merchant_reference"), vatAmount = order.optLong("vat_amount"),
                items = (0 until items.length()).map { item(items.getJSONObject(it)) }, extra = "{}",
            ),
            profileId = j.optString("profile_id", null),
            extra = "{}",
        )
    }

    private suspend fun run(client: Client, op: String, args: JSONObject): Any? {
        val a = { name: String -> resolve(args.opt(name)) }
        return when (op) {
            "sessions.create" -> client.sessions().create(sessionRequest(a("request") as JSONObject))
            "emulator.pay" -> Emulator.pay(a("session_id") as String, a("card") as String)
            "client.wait_for_payment" -> client.waitForPayment(a("session_id") as String)
            "transactions.get" -> client.transactions().get(a("transaction_id") as String)
            "transactions.capture" -> (a("request") as JSONObject).only("amount", "capture_reference").let {
                client.transactions().capture(a("transaction_id") as String,
                    CaptureRequest(amount = it.getLong("amount"), captureReference = it.optString("capture_reference", null), extra = "{}"))
            }
            "transactions.refund" -> (a("request") as JSONObject).only("amount", "refund_reference", "reason").let {
                client.transactions().refund(a("transaction_id") as String,
                    RefundRequest(amount = it.getLong("amount"), refundReference = it.optString("refund_reference", null),
                        reason = it.optString("reason", null), extra = "{}"))
            }
            "transactions.void" -> client.transactions().void(a("transaction_id") as String)
            else -> fail("scenario: no mapping for operation $op")
        }
    }

    /** Follows a dotted path: `transaction.status`, `captured_amount()` (an SDK method). */
    private fun lookup(root: Any?, path: String): Any? = path.split('.').fold(root) { obj, seg ->
        when (obj) {
            null -> fail("scenario: $path: null before $seg")
            is JSONObject -> obj.opt(seg)
            else -> {
                val camel = seg.removeSuffix("()").split('_').mapIndexed { i, w -> if (i == 0) w else w.replaceFirstChar(Char::uppercase) }.joinToString("")
                val getter = "get" + camel.replaceFirstChar(Char::uppercase)
                val member = obj.javaClass.methods.firstOrNull { it.parameterCount == 0 && (it.name == getter || it.name == camel) }
                val extension = Class.forName("com.dintero.checkout.ExtensionsKt").methods
                    .firstOrNull { it.parameterCount == 1 && (it.name == getter || it.name == camel) && it.parameterTypes[0].isInstance(obj) }
                member?.invoke(obj) ?: extension?.invoke(null, obj) ?: if (member == null && extension == null) fail("scenario: no $seg on ${obj.javaClass.simpleName}") else null
            }
        }
    }

    /** A result value as text comparable with the scenario's: enums by name, case and `_` aside. */
    private fun text(v: Any?): String = when (v) {
        is Enum<*> -> v.name
        is String, is Number, is Boolean -> v.toString()
        null -> "null"
        else -> v.javaClass.simpleName
    }.lowercase().replace("_", "")

    private fun check(step: Int, path: String, expected: Any?, actual: Any?) {
        val where = "step $step, $path"
        when {
            expected == "<present>" -> assertTrue(actual != null && text(actual).isNotEmpty(), "$where: missing")
            expected is Number -> assertEquals(expected.toLong(), (actual as Number).toLong(), where)
            else -> assertEquals(text(resolve(expected)), text(actual), where)
        }
    }

    @Test
    fun `the shared scenario runs end to end`() = runBlocking {
        val client = Emulator.client()
        val steps = scenario.getJSONArray("steps")
        for (i in 0 until steps.length()) {
            val step = steps.getJSONObject(i)
            val op = step.getString("op")
            val expectError = step.optJSONObject("expect_error")
            val result = try {
                run(client, op, step.optJSONObject("args") ?: JSONObject())
            } catch (e: DinteroException) {
                if (expectError == null) throw e
                for (key in expectError.keySet()) {
                    val actual = if (key == "kind") e.kind().value else lookup(e, key)
                    check(i, "error.$key", expectError.get(key), actual)
                }
                continue
            }
            if (expectError != null) fail("step $i ($op): expected an error $expectError, got $result")
            step.optJSONObject("save")?.let { save -> save.keySet().forEach { vars[it] = lookup(result, save.getString(it)) } }
            step.optJSONObject("expect")?.let { expect -> expect.keySet().forEach { check(i, it, expect.get(it), lookup(result, it)) } }
        }
        val txId = vars["transaction_id"] as String
        val counters = scenario.getJSONObject("requests")
        for (route in counters.keySet() - "about") {
            assertEquals(counters.getInt(route), Emulator.requestsTo(route, txId), "requests to $route")
        }
    }
}
