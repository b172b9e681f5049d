// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Intake",
    products: [
        .executable(name: "intake", targets: ["intake"]),
        .library(name: "Engine", targets: ["Engine"]),
    ],
    dependencies: [],
    targets: [
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(
            name: "Engine", dependencies: ["CZlib"],
            // The hot path is checked by its tests; the run-time exclusivity checks cost ~3% of an import.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])], linkerSettings: [.linkedLibrary("m")]),
        .target(name: "Watcher", dependencies: ["Engine"]),
        .executableTarget(name: "intake", dependencies: ["Engine", "Watcher"]),
        .executableTarget(name: "IntakeBench", dependencies: ["Engine", "Watcher"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "CZlib"]),  // CZlib: tests zip the workbooks they write
        .testTarget(name: "WatcherTests", dependencies: ["Watcher", "Engine"]),
        .testTarget(name: "IntakeTests", dependencies: ["Engine", "Watcher"]),
    ],
    swiftLanguageModes: [.v6]
)
