import Engine
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Glibc
import Synchronization

/// When to try a webhook again (contract §10): after `firstRetry` seconds, then with the wait
/// doubling up to `maxWait`, until `expiry` seconds after the import ended. A POST fails when no
/// answer comes within `timeout` seconds or the status is not 2xx. The environment can shorten
/// them (for tests): INTAKE_WEBHOOK_RETRY_SECONDS, INTAKE_WEBHOOK_MAX_WAIT_SECONDS,
/// INTAKE_WEBHOOK_EXPIRY_SECONDS, INTAKE_WEBHOOK_TIMEOUT_SECONDS.
public struct WebhookPolicy: Sendable {
    public var firstRetry = 5.0
    public var maxWait = 3600.0
    public var expiry = 86_400.0
    public var timeout = 10.0

    public init() {}

    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> WebhookPolicy {
        var p = WebhookPolicy()
        func read(_ name: String) -> Double? { env[name].flatMap(Double.init).flatMap { $0 > 0 && $0.isFinite ? $0 : nil } }
        if let v = read("INTAKE_WEBHOOK_RETRY_SECONDS") { p.firstRetry = v }
        if let v = read("INTAKE_WEBHOOK_MAX_WAIT_SECONDS") { p.maxWait = v }
        if let v = read("INTAKE_WEBHOOK_EXPIRY_SECONDS") { p.expiry = v }
        if let v = read("INTAKE_WEBHOOK_TIMEOUT_SECONDS") { p.timeout = v }
        return p
    }

    /// The wait after `attempts` failed attempts.
    public func wait(after attempts: Int) -> Double {
        min(maxWait, firstRetry * pow(2, Double(max(0, attempts - 1))))
    }
}
