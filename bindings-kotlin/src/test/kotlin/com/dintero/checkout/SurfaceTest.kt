package com.dintero.checkout

import org.json.JSONObject
import org.junit.jupiter.api.Test
import java.io.File
import java.lang.reflect.Executable
import java.lang.reflect.Method
import java.lang.reflect.Modifier
import kotlin.coroutines.Continuation
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** The public surface against testdata/surface.json: every Kotlin name, and the defaults. */
class SurfaceTest {
    private val surface = JSONObject(File(Emulator.testdata, "surface.json").readText())
    private val packages = listOf("com.dintero.checkout", "com.dintero.checkout.models")

    /** The generated files' top-level functions, and the hand-written extensions. */
    private val facades = listOf("com.dintero.checkout.Dintero_checkout_uniffiKt", "com.dintero.checkout.ExtensionsKt")
        .map { Class.forName(it) }

    private fun type(name: String): Class<*> =
        packages.firstNotNullOfOrNull { runCatching { Class.forName("$it.$name") }.getOrNull() }
            ?: throw AssertionError("no Kotlin type $name")

    /** Parameters as Kotlin declares them (no coroutine continuation, no constructor marker). */
    private fun arity(e: Executable) = e.parameterTypes.count {
        it != Continuation::class.java && it.name != "kotlin.jvm.internal.DefaultConstructorMarker"
    }

    /** A JVM name for Kotlin's `name`: itself, an inline-class-mangled `name-xyz`, or a getter. */
    private fun named(m: Method, name: String) =
        m.name == name || m.name.startsWith("$name-") || m.name == "get" + name.replaceFirstChar(Char::uppercase)

    @Test
    fun `every type and operation of surface json exists under its Kotlin name`() {
        val types = surface.getJSONObject("types")
        val kotlinType = { id: String -> types.getJSONObject(id).getString("kotlin") }
        types.keySet().filter { types.getJSONObject(it).has("kotlin") }.forEach { type(kotlinType(it)) }
        val missing = mutableListOf<String>()
        val ops = surface.getJSONArray("operations")
        for (i in 0 until ops.length()) {
            val op = ops.getJSONObject(i)
            val name = op.getJSONObject("names").getString("kotlin")
            val params = op.optJSONArray("params")?.length() ?: 0
            val on = if (op.isNull("on")) null else type(kotlinType(op.getString("on")))
            val found = when {
                on != null && name == on.simpleName -> on.constructors.toList()
                on != null -> on.methods.filter { named(it, name) } +
                    facades.flatMap { f -> f.methods.filter { named(it, name) && it.parameterCount > 0 && it.parameterTypes[0] == on } }
                else -> facades.flatMap { f -> f.methods.filter { named(it, name) } }
            }
            // A member takes `params`; an extension takes its receiver first.
            val ok = found.any { arity(it) == params || (it is Method && Modifier.isStatic(it.modifiers) && on != null && arity(it) == params + 1) }
            if (!ok) missing += "${op.getString("id")}: ${on?.simpleName ?: "top level"}.$name($params parameters)"
        }
        assertTrue(missing.isEmpty(), "missing from the Kotlin surface:\n" + missing.joinToString("\n"))
    }

    @Test
    fun `every error field exists on DinteroException and every kind is listed`() {
        val fields = surface.getJSONObject("error_fields")
        val error = type(surface.getJSONObject("types").getJSONObject("Error").getString("kotlin"))
        for (id in fields.keySet() - "about") {
            val name = fields.getJSONObject(id).getString("kotlin")
            assertTrue(error.methods.any { named(it, name) && it.parameterCount == 0 }, "DinteroException has no $name")
        }
        val kinds = surface.getJSONArray("error_kinds").map { it as String }
        assertEquals(kinds, com.dintero.checkout.models.ErrorKind.entries.map { it.value })
    }

    @Test
    fun `the defaults named in surface json are the core's Defaults, all of them`() {
        val fields = com.dintero.checkout.models.Defaults::class.java.declaredFields.map { it.name }
            .filter { !Modifier.isStatic(com.dintero.checkout.models.Defaults::class.java.getDeclaredField(it).modifiers) }
            .map { f -> f.replace(Regex("[A-Z]")) { "_" + it.value.lowercase() } }
        val named = mutableSetOf<String>()
        val ops = surface.getJSONArray("operations")
        for (i in 0 until ops.length()) {
            val defaults = ops.getJSONObject(i).optJSONObject("defaults") ?: continue
            for (param in defaults.keySet()) {
                val key = defaults.getString(param)
                val matches = if (key.endsWith("*")) fields.filter { it.startsWith(key.dropLast(1)) } else fields.filter { it == key }
                assertTrue(matches.isNotEmpty(), "surface.json names default $key, which Defaults lacks ($fields)")
                named += matches
            }
        }
        assertEquals(fields.toSet(), named, "every field of Defaults is the default of some parameter")
        // And the values the binding reads are the core's (a field per Defaults key, none zero).
        val d = defaults()
        assertTrue(d.timeoutMs > 0uL && d.retryMaxAttempts > 0u && d.signatureToleranceSeconds > 0uL, d.toString())
    }
}
