package com.dintero.checkout.ktor

import com.dintero.checkout.examples.ktor.runShopExample
import org.junit.jupiter.api.Test
import kotlin.test.assertEquals

/** Runs the Ktor shop example (examples/ktor/ShopKtor.kt) against the emulator. */
class ShopKtorExampleTest {
    @Test
    fun `the shop takes a payment, ships and refunds`() {
        val order = runShopExample().values.single()
        assertEquals("refunded", order.state)
    }
}
