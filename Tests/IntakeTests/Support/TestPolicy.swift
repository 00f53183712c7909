import Foundation

/// The policy file a test server runs with: libsodium's minimum Argon2id cost (PolicyLoader
/// accepts ops 1, 8 KiB) so receipts derive in microseconds, and limits a test can shrink.
struct TestPolicy {
    var categories = ["corruption", "fraud", "safety", "environment", "other"]
    var questions: [String] = []
    var maxMessageBytes = 20_000
    var maxAttachments = 10
    var maxAttachmentBytes = 100 * 1024 * 1024
    var maxRequestBytes = 500 * 1024 * 1024
    var headerTimeoutSeconds = 10
    var bodyIdleTimeoutSeconds = 30
    var minUploadBytesPerSecond = 4096
    var uploadRateGraceSeconds = 20
    var maxConcurrentUploads = 16
    var receiptAttemptsPerMinute = 10_000
    var allowKeepLocation = true
    var allowKeepCaptureDate = true
    var argon2Ops = 1
    var argon2Mem = 8192
    var maxConcurrentDerivations = 2
    var maxHeldBytes = 256 << 20

    var yaml: String {
        func list(_ items: [String]) -> String { "[" + items.map { "\"\($0)\"" }.joined(separator: ", ") + "]" }
        return """
            version: 1
            intake:
              categories: \(list(categories))
              questions: \(list(questions))
              max_message_bytes: \(maxMessageBytes)
              max_attachments: \(maxAttachments)
              max_attachment_bytes: \(maxAttachmentBytes)
              max_request_bytes: \(maxRequestBytes)
              header_timeout_seconds: \(headerTimeoutSeconds)
              body_idle_timeout_seconds: \(bodyIdleTimeoutSeconds)
              min_upload_bytes_per_second: \(minUploadBytesPerSecond)
              upload_rate_grace_seconds: \(uploadRateGraceSeconds)
              max_concurrent_uploads: \(maxConcurrentUploads)
              receipt_attempts_per_minute: \(receiptAttemptsPerMinute)
            redaction:
              allow_tipster_keep_location: \(allowKeepLocation)
              allow_tipster_keep_capture_date: \(allowKeepCaptureDate)
              max_file_bytes: \(maxAttachmentBytes)
              max_video_bytes: \(maxAttachmentBytes)
              max_audio_bytes: \(maxAttachmentBytes)
              max_held_bytes: \(maxHeldBytes)
            receipts:
              argon2_ops_limit: \(argon2Ops)
              argon2_mem_limit_bytes: \(argon2Mem)
              max_concurrent_derivations: \(maxConcurrentDerivations)

            """
    }

    /// Small limits for the bad-input tests: 3 files of at most 200 kB, 500 kB per request.
    static var small: TestPolicy {
        var p = TestPolicy()
        p.maxAttachments = 3
        p.maxAttachmentBytes = 200_000
        p.maxRequestBytes = 500_000
        p.maxMessageBytes = 1000
        return p
    }
}
