/// The deployment's policy: what the server accepts, what redaction may keep, how coarse
/// stored dates are, how expensive receipt derivation is. Loaded from `policies/*.yaml`
/// (see `PolicyLoader`); every field has a safe default so a missing key is never a hole.
public struct Policy: Sendable, Equatable {
    public var intake = IntakePolicy()
    public var redaction = RedactionPolicy()
    public var vault = VaultPolicy()
    public var receipts = ReceiptPolicy()

    public init() {}

    /// The policy every deployment starts from; identical to `policies/default.yaml`.
    public static let `default` = Policy()
}

/// Limits that protect the intake server from floods, huge and slow uploads.
public struct IntakePolicy: Sendable, Equatable {
    public var categories = ["corruption", "fraud", "safety", "environment", "other"]
    public var questions: [String] = []
    public var maxMessageBytes = 20_000
    public var maxAttachments = 10
    /// The cap on any one file before its kind is known; each kind has its own limit in
    /// `RedactionPolicy` (a phone video is far larger than a photo).
    public var maxAttachmentBytes = 2 * 1024 * 1024 * 1024
    public var maxRequestBytes = 2560 * 1024 * 1024
    public var headerTimeoutSeconds = 10
    public var bodyIdleTimeoutSeconds = 30
    /// After `uploadRateGraceSeconds`, a body must have averaged at least this rate or the
    /// connection is closed (408), so trickling a byte now and then cannot hold an upload slot
    /// forever. 0 turns the check off.
    public var minUploadBytesPerSecond = 4096
    public var uploadRateGraceSeconds = 20
    public var maxConcurrentUploads = 16
    public var receiptAttemptsPerMinute = 60
    public init() {}
}

/// The formats redaction knows, sniffed from a file's bytes. Raw values are the names used in
/// policy files. `mp4` is the whole ISO BMFF / QuickTime movie family (MOV, MP4, 3GP, M4A);
/// `heif` is the same container holding still images.
public enum MediaFormat: String, Sendable, CaseIterable, Codable {
    case jpeg, png, webp, gif, heif, tiff
    case mp4, mp3, wav, flac, ogg
    /// Matroska by its EBML DocType: `webm` (browsers, Android) or `matroska` (`.mkv`).
    case webm, mkv

    /// What a tipster would call the file; chooses the words of refusals and limits.
    public var kind: MediaKind {
        switch self {
        case .jpeg, .png, .webp, .gif, .heif, .tiff: .image
        case .mp4, .webm, .mkv: .video
        case .mp3, .wav, .flac, .ogg: .audio
        }
    }
}

/// Photos, videos and voice recordings: each has its own size limit and its own advice.
public enum MediaKind: String, Sendable, CaseIterable, Codable {
    case image, video, audio
}

/// What the scrubbers may keep. Location and capture date are never kept unless the
/// policy allows the tipster to opt in *and* the tipster does so for that file.
public struct RedactionPolicy: Sendable, Equatable {
    public var acceptedFormats: Set<MediaFormat> = Set(MediaFormat.allCases)
    public var keepICCProfile = true
    public var keepOrientation = true
    public var allowTipsterKeepLocation = true
    public var allowTipsterKeepCaptureDate = true
    /// Largest photo.
    public var maxFileBytes = 100 * 1024 * 1024
    public var maxVideoBytes = 2 * 1024 * 1024 * 1024
    public var maxAudioBytes = 512 * 1024 * 1024
    /// Bytes all scrubs that hold a whole file (TIFF, WebP, HEIF) may hold at once, across the
    /// process; past it a file is refused as busy (503, retry) instead of growing memory.
    public var maxHeldBytes = 256 * 1024 * 1024
    public init() {}

    /// The size limit for one file of `kind`.
    public func maxBytes(for kind: MediaKind) -> Int {
        switch kind {
        case .image: maxFileBytes
        case .video: maxVideoBytes
        case .audio: maxAudioBytes
        }
    }

    /// The largest any file may be before its kind is known.
    public var maxAnyFileBytes: Int { max(maxFileBytes, maxVideoBytes, maxAudioBytes) }
}

/// How coarse stored dates are: the vault never records a precise time.
public enum DateGranularity: String, Sendable, CaseIterable {
    case day, week, month
}

public struct VaultPolicy: Sendable, Equatable {
    public var dateGranularity = DateGranularity.day
    /// 0 keeps tips until an investigator purges them.
    public var retentionDays = 0
    public init() {}
}

/// Argon2id cost for turning a receipt into its lookup id and reply key.
public struct ReceiptPolicy: Sendable, Equatable {
    public var argon2OpsLimit = 3
    public var argon2MemLimitBytes = 64 * 1024 * 1024
    public var maxConcurrentDerivations = 2
    public init() {}
}
