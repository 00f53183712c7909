// swift-tools-version:6.1
import PackageDescription

// Target names carry a `Tipline` prefix where a bare name could collide with a module
// elsewhere in the graph (Hummingbird brings apple/swift-crypto, whose module is `Crypto`).
// The folders keep the design card's names through `path:`.

let package = Package(
    name: "Tipline",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tipintake", targets: ["TipintakeCommand"]),
        .executable(name: "tipvault", targets: ["TipvaultCommand"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        // MARK: C libraries: module maps and shim headers only.
        .systemLibrary(
            name: "CSodium", path: "Sources/CSodium", pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(
            name: "CExif", path: "Sources/CExif", pkgConfig: "libexif",
            providers: [.apt(["libexif-dev"])]),
        .systemLibrary(
            name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CProcess", path: "Sources/CProcess"),

        // MARK: Libraries
        .target(
            name: "TiplinePolicy", dependencies: [.product(name: "Yams", package: "Yams")],
            path: "Sources/Policy"),
        .target(name: "TiplineCrypto", dependencies: ["CSodium"], path: "Sources/Crypto"),
        .target(name: "TiplineProcess", dependencies: ["CProcess"], path: "Sources/Process"),
        .target(
            name: "TiplineRedaction", dependencies: ["CExif", "CZlib", "TiplinePolicy"],
            path: "Sources/Redaction"),
        .target(
            name: "TiplineVault",
            dependencies: [
                "TiplineCrypto", "TiplinePolicy",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Sources/Vault"),
        .target(
            name: "TipIntake",
            dependencies: [
                "TiplineCrypto", "TiplineRedaction", "TiplineVault", "TiplinePolicy",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
            ],
            path: "Sources/TipIntake"),

        // MARK: Executables (thin: parse arguments, wire modules, print)
        .executableTarget(
            name: "TipintakeCommand",
            dependencies: [
                "TipIntake", "TiplineRedaction", "TiplinePolicy", "TiplineProcess",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/TipintakeCommand"),
        .executableTarget(
            name: "TipvaultCommand",
            dependencies: [
                "TiplineVault", "TiplineCrypto", "TiplinePolicy", "TiplineProcess",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/TipvaultCommand"),

        // MARK: Benchmarks (`make bench`, release builds; never unit tests)
        .executableTarget(
            name: "CryptoBench", dependencies: ["TiplineCrypto", "CSodium"],
            path: "Sources/Benchmarks/CryptoBench"),
        .executableTarget(
            name: "RedactionBench", dependencies: ["TiplineRedaction", "TiplinePolicy"],
            path: "Sources/Benchmarks/RedactionBench"),
        .executableTarget(
            name: "VaultBench", dependencies: ["TiplineVault", "TiplineCrypto", "TiplinePolicy"],
            path: "Sources/Benchmarks/VaultBench"),
        .executableTarget(
            name: "IntakeBench",
            dependencies: ["TipIntake", "TiplineVault", "TiplineCrypto", "TiplinePolicy", "CSodium"],
            path: "Sources/Benchmarks/IntakeBench"),

        // MARK: Fuzzing (`make fuzz`: libFuzzer entry points built with --sanitize=fuzzer)
        .target(
            name: "TiplineFuzzHarness",
            dependencies: [
                "TiplineRedaction", "TiplinePolicy", "TiplineCrypto", "TipIntake",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Sources/FuzzHarness"),

        // MARK: Tests
        .testTarget(
            name: "CryptoTests", dependencies: ["TiplineCrypto", "CSodium"],
            path: "Tests/CryptoTests", resources: [.copy("Vectors")]),
        .testTarget(
            name: "RedactionTests", dependencies: ["TiplineRedaction", "TiplinePolicy"],
            path: "Tests/RedactionTests"),
        .testTarget(
            name: "PolicyTests", dependencies: ["TiplinePolicy"], path: "Tests/PolicyTests"),
        .testTarget(
            name: "VaultTests", dependencies: ["TiplineVault", "TiplineCrypto", "TiplinePolicy"],
            path: "Tests/VaultTests"),
        .testTarget(
            name: "IntakeTests",
            dependencies: [
                "TipIntake", "TiplineVault", "TiplineCrypto", "TiplineRedaction", "TiplinePolicy",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Tests/IntakeTests"),
        .testTarget(
            name: "FuzzReplayTests", dependencies: ["TiplineFuzzHarness"], path: "Tests/FuzzReplayTests"),
    ]
)

/// One executable per parser of untrusted bytes, each a 5-line libFuzzer entry point
/// (`Fuzz/<Name>/main.swift`) over `TiplineFuzzHarness`; scripts/fuzz.sh builds and runs them.
let fuzzTargets = [
    "JPEG", "PNG", "GIF", "WebP", "TIFF", "HEIF", "Movie", "WAV", "FLAC", "MP3", "Ogg", "WebM",
    "Redactor", "Receipt", "Envelope", "Policy", "Multipart",
]
package.targets += fuzzTargets.map { name in
    .executableTarget(name: "Fuzz\(name)", dependencies: ["TiplineFuzzHarness"], path: "Fuzz/\(name)")
}
