import CSodium

/// libsodium must be initialised once before any call; `sodium_init` is idempotent and thread-safe.
enum SodiumRuntime {
    static let ready: Bool = sodium_init() >= 0
}
