import Foundation
import Testing

/// Contract §3 measured: daemons killed with SIGKILL at random moments while mixed files
/// arrive, and at the end every file in exactly one result folder with the reference result
/// (ChaosHarness). `scripts/soak SECONDS DAEMONS` runs `soak` for as long as asked.
@Suite(.timeLimit(Soak.seconds > 0 ? .minutes(Soak.seconds / 60 + 60) : .hangGuard))
struct ChaosTests {

    static func check(_ chaos: ChaosRun, label: String, minimumKills: Int) {
        chaos.verify()
        print("chaos \(label): \(chaos.figures)")
        #expect(chaos.problems.isEmpty, "\(chaos.problems.prefix(10).joined(separator: "\n"))")
        #expect(chaos.figures.kills >= minimumKills)
        #expect(chaos.figures.lost == 0 && chaos.figures.duplicated == 0 && chaos.figures.wrong == 0)
        #expect(chaos.figures.imports == chaos.figures.drops)
    }

    @Test func oneDaemonKilledAtRandomMomentsLosesNothingAndImportsNothingTwice() throws {
        let chaos = try ChaosRun()
        try chaos.run(daemons: 1, files: 160, waves: 4, seconds: 6, minimumKills: 6)
        ChaosTests.check(chaos, label: "1 daemon", minimumKills: 6)
        #expect(chaos.figures.recovered > 0, "no kill landed while a claim was open")
    }

    @Test(arguments: [2, 3])
    func severalDaemonsOnOneRootKilledIndependentlyLoseNothing(_ daemons: Int) throws {
        let chaos = try ChaosRun()
        try chaos.run(daemons: daemons, files: 140, waves: 4, seconds: 6, minimumKills: 6 * daemons)
        ChaosTests.check(chaos, label: "\(daemons) daemons", minimumKills: 6 * daemons)
    }

    /// `scripts/soak`: rounds of 60 s (fresh root each) until INTAKE_SOAK_SECONDS have passed,
    /// one line of figures per round and a total; INTAKE_SOAK_REPORT names a file for the total.
    @Test(.enabled(if: Soak.seconds > 0))
    func soak() throws {
        var total = ChaosRun.Figures()
        var problems: [String] = []
        let t0 = Date()
        var round = 0
        var rounds: [String] = []
        /// Written after every round (stdout of a test is buffered), so the figures so far can be read while it runs.
        func report(total: ChaosRun.Figures, rounds n: Int) throws {
            guard let path = ProcessInfo.processInfo.environment["INTAKE_SOAK_REPORT"] else { return }
            let lines = [Soak.total(total, rounds: n, problems: problems.count)] + rounds + problems.prefix(50)
            try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
        while Date().timeIntervalSince(t0) < Double(Soak.seconds) {
            round += 1
            let seed = UInt64.random(in: 0...UInt64.max)
            let chaos = try ChaosRun(seed: seed)
            try chaos.run(daemons: Soak.daemons, files: 400, waves: 8, seconds: 50)
            chaos.verify()
            total = total + chaos.figures
            rounds.append("soak round=\(round) seed=\(seed) daemons=\(Soak.daemons) \(chaos.figures) problems=\(chaos.problems.count)")
            problems += chaos.problems.map { "round \(round) seed \(seed): \($0)" }
            try report(total: total, rounds: round)
        }
        try report(total: total, rounds: round)
        print(
            ([Soak.total(total, rounds: round, problems: problems.count)] + problems.prefix(20).map { "soak problem: \($0)" }).joined(
                separator: "\n"))
        #expect(problems.isEmpty)
        #expect(total.lost == 0 && total.duplicated == 0 && total.wrong == 0)
    }
}

/// The soak's settings, from `scripts/soak`.
enum Soak {
    static let seconds = Int(ProcessInfo.processInfo.environment["INTAKE_SOAK_SECONDS"] ?? "") ?? 0
    static let daemons = Int(ProcessInfo.processInfo.environment["INTAKE_SOAK_DAEMONS"] ?? "") ?? 1

    static func total(_ f: ChaosRun.Figures, rounds: Int, problems: Int) -> String {
        "soak total rounds=\(rounds) daemons=\(daemons) \(f) problems=\(problems)"
    }
}
