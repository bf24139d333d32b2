// Where a client's log records go in Swift: two LogSink implementations (the uniffi protocol
// over the core's LogSink). They format nothing themselves beyond a prefix: the record's
// `message` (the event followed by its fields) is the core's. Neither holds mutable state.
import Foundation
#if canImport(OSLog)
import OSLog
#endif

extension LogLevel {
    /// 0 for debug, 1 for info, 2 for warn: a level is wanted when it ranks at or above the
    /// threshold.
    fileprivate var rank: Int {
        switch self {
        case .debug: return 0
        case .info: return 1
        case .warn: return 2
        }
    }

    /// `DEBUG`, `INFO`, `WARN`.
    fileprivate var label: String {
        switch self {
        case .debug: return "DEBUG"
        case .info: return "INFO"
        case .warn: return "WARN"
        }
    }
}

/// Writes a client's log records to standard error, one line each:
/// `dintero_checkout DEBUG request method=GET path=/v1/transactions/T… status=200 attempt=1 …`.
/// Its level is fixed when it is made: by default from the `DINTERO_CHECKOUT_LOG` environment
/// variable (`debug`, `info` or `warn`; unset or anything else turns it off).
///
///     let client = try Client(accountId: …, clientId: …, clientSecret: …, logger: StderrLogger())
public final class StderrLogger: LogSink {
    /// The lowest level written; nil writes nothing.
    public let level: LogLevel?
    private let write: @Sendable (String) -> Void

    /// A logger writing records of `level` and above (default: `DINTERO_CHECKOUT_LOG`).
    public convenience init(level: LogLevel? = StderrLogger.environmentLevel()) {
        self.init(level: level) { line in FileHandle.standardError.write(Data(line.utf8)) }
    }

    /// The same, writing each line (newline included) with `write` (tests capture it).
    init(level: LogLevel?, write: @escaping @Sendable (String) -> Void) {
        self.level = level
        self.write = write
    }

    /// The level `DINTERO_CHECKOUT_LOG` names in `environment` (`debug`, `info`, `warn`, any
    /// case); nil when it is unset or names none of them.
    public static func environmentLevel(
        _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> LogLevel? {
        switch environment["DINTERO_CHECKOUT_LOG"]?.lowercased() {
        case "debug": return .debug
        case "info": return .info
        case "warn": return .warn
        default: return nil
        }
    }

    public func enabled(level: LogLevel) -> Bool {
        guard let threshold = self.level else { return false }
        return level.rank >= threshold.rank
    }

    public func log(record: LogRecord) {
        write("dintero_checkout \(record.level.label) \(record.message)\n")
    }
}

#if canImport(OSLog)
/// Sends a client's log records to the unified logging system (Console.app, `log stream`),
/// subsystem `dintero_checkout` by default: debug as `.debug`, info as `.info`, warn as
/// `.default`. Whether a level is wanted is asked of OSLog on every call. The messages hold
/// no secret, so they are logged as public.
///
///     let client = try Client(accountId: …, clientId: …, clientSecret: …, logger: OSLogLogger())
public final class OSLogLogger: LogSink, @unchecked Sendable {
    private let log: OSLog

    /// A logger for `subsystem` and `category`.
    public init(subsystem: String = "dintero_checkout", category: String = "client") {
        self.log = OSLog(subsystem: subsystem, category: category)
    }

    private static func type(_ level: LogLevel) -> OSLogType {
        switch level {
        case .debug: return .debug
        case .info: return .info
        case .warn: return .default
        }
    }

    public func enabled(level: LogLevel) -> Bool {
        log.isEnabled(type: Self.type(level))
    }

    public func log(record: LogRecord) {
        os_log("%{public}@", log: log, type: Self.type(record.level), record.message)
    }
}
#endif
