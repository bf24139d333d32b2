// The core's log records in SLF4J: a LogSink (the uniffi callback interface) over an SLF4J
// logger. Levels map one to one; the record's fields become SLF4J 2 key-values, and its message
// (the event followed by the fields) is the logged text, so a plain pattern shows them too.
package com.dintero.checkout

import com.dintero.checkout.models.LogLevel
import com.dintero.checkout.models.LogRecord
import com.dintero.checkout.models.LogValue
import org.slf4j.LoggerFactory
import org.slf4j.event.Level

/**
 * Sends a client's log records to SLF4J, by default to the logger named `dintero_checkout`:
 * `Client(accountId, clientId, clientSecret, logger = Slf4jLogger())`. Debug: one line per
 * request attempt (method, path, status, attempt, duration_ms, request_id); info: retries, token
 * fetches, reconciliation; warn: what looks wrong but is let through. The logger's level is read
 * on every call, so changing it at run time takes effect at once. No record carries a secret.
 */
class Slf4jLogger(
    private val logger: org.slf4j.Logger = LoggerFactory.getLogger(NAME),
) : LogSink {
    override fun enabled(level: LogLevel): Boolean = when (level) {
        LogLevel.DEBUG -> logger.isDebugEnabled
        LogLevel.INFO -> logger.isInfoEnabled
        LogLevel.WARN -> logger.isWarnEnabled
    }

    override fun log(record: LogRecord) {
        var event = logger.atLevel(slf4jLevel(record.level)).addKeyValue("event", record.event)
        for (field in record.fields) {
            val value: Any = when (val v = field.value) {
                is LogValue.Int -> v.value
                is LogValue.Text -> v.value
            }
            event = event.addKeyValue(field.name, value)
        }
        event.log(record.message)
    }

    companion object {
        /** The SLF4J logger name the SDK logs under by default. */
        const val NAME: String = "dintero_checkout"

        private fun slf4jLevel(level: LogLevel): Level = when (level) {
            LogLevel.DEBUG -> Level.DEBUG
            LogLevel.INFO -> Level.INFO
            LogLevel.WARN -> Level.WARN
        }
    }
}
