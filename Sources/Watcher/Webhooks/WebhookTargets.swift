import Engine
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Glibc
import Synchronization

/// Where an import's webhooks go (contract §10): `webhookUrl` for SUCCESSFUL and FAILED,
/// `needsReviewWebhookUrl` for NEEDS_REVIEW. Decided with the schema an import is run with
/// (saved, inline, with a sidecar's settings) and kept in its claim, so that recovery after a
/// crash sends exactly what the uninterrupted run would have, whatever the schema says by then.
public struct WebhookTargets: Sendable, Equatable {
    public var webhookUrl: String?
    public var needsReviewWebhookUrl: String?

    /// Nil when the settings name no URL.
    public init?(settings: Settings) {
        webhookUrl = settings.webhookUrl.flatMap { $0.isEmpty ? nil : $0 }
        needsReviewWebhookUrl = settings.needsReviewWebhookUrl.flatMap { $0.isEmpty ? nil : $0 }
        if webhookUrl == nil && needsReviewWebhookUrl == nil { return nil }
    }

    public init?(json: JSONValue) {
        guard json.objectValue != nil else { return nil }
        webhookUrl = json["webhookUrl"]?.stringValue
        needsReviewWebhookUrl = json["needsReviewWebhookUrl"]?.stringValue
    }

    public var json: JSONValue { ["webhookUrl": .string(webhookUrl), "needsReviewWebhookUrl": .string(needsReviewWebhookUrl)] }

    /// The event for an ended import's status and the URL it goes to.
    func target(for status: ImportStatus) -> (event: String, url: String)? {
        switch status {
        case .successful: webhookUrl.map { ("import_completed", $0) }
        case .failed: webhookUrl.map { ("headless_import_failed", $0) }
        case .needsReview: needsReviewWebhookUrl.map { ("headless_import_needs_review", $0) }
        default: nil
        }
    }
}
