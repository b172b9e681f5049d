import Engine
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Glibc
import Synchronization

/// Where an import's webhooks go (contract §10). `webhookUrl` is Dromo's basic webhook: a
/// form-encoded `uploadId=<id>` when an import is SUCCESSFUL, nothing else. `managedWebhookUrl`
/// (Intake's own) gets the JSON events of Dromo's managed webhooks: `import_completed`,
/// `headless_import_failed` and `headless_import_needs_review`; `needsReviewWebhookUrl` gets
/// `headless_import_needs_review` too. Decided with the schema an import is run with (saved,
/// inline, with a sidecar's settings) and kept in its claim, so that recovery after a crash sends
/// exactly what the uninterrupted run would have, whatever the schema says by then.
public struct WebhookTargets: Sendable, Equatable {
    public var webhookUrl: String?
    public var managedWebhookUrl: String?
    public var needsReviewWebhookUrl: String?
    /// The schema's `developmentMode`, for the JSON events' `development_mode`.
    public var developmentMode = false

    /// How a delivery's body is written.
    enum Format: String { case form, json }

    /// Nil when the settings name no URL.
    public init?(settings: Settings) {
        webhookUrl = settings.webhookUrl.flatMap { $0.isEmpty ? nil : $0 }
        managedWebhookUrl = settings.managedWebhookUrl.flatMap { $0.isEmpty ? nil : $0 }
        needsReviewWebhookUrl = settings.needsReviewWebhookUrl.flatMap { $0.isEmpty ? nil : $0 }
        developmentMode = settings.developmentMode
        if webhookUrl == nil && managedWebhookUrl == nil && needsReviewWebhookUrl == nil { return nil }
    }

    public init?(json: JSONValue) {
        guard json.objectValue != nil else { return nil }
        webhookUrl = json["webhookUrl"]?.stringValue
        managedWebhookUrl = json["managedWebhookUrl"]?.stringValue
        needsReviewWebhookUrl = json["needsReviewWebhookUrl"]?.stringValue
        developmentMode = json["developmentMode"]?.boolValue ?? false
    }

    public var json: JSONValue {
        [
            "webhookUrl": .string(webhookUrl), "managedWebhookUrl": .string(managedWebhookUrl),
            "needsReviewWebhookUrl": .string(needsReviewWebhookUrl), "developmentMode": .bool(developmentMode),
        ]
    }

    /// The deliveries for an ended import's status: the event, the URL, the body's format.
    func targets(for status: ImportStatus) -> [(event: String, url: String, format: Format)] {
        var out: [(event: String, url: String, format: Format)] = []
        switch status {
        case .successful:
            if let url = webhookUrl { out.append(("import_completed", url, .form)) }
            if let url = managedWebhookUrl { out.append(("import_completed", url, .json)) }
        case .failed:
            if let url = managedWebhookUrl { out.append(("headless_import_failed", url, .json)) }
        case .needsReview:
            if let url = needsReviewWebhookUrl { out.append(("headless_import_needs_review", url, .json)) }
            if let url = managedWebhookUrl, url != needsReviewWebhookUrl { out.append(("headless_import_needs_review", url, .json)) }
        default: break
        }
        return out
    }
}
