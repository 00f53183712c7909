import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One timed run: wall-clock seconds and CPU seconds (user + system) of the work, children
/// included. The bench machine is shared, so CPU time is the fairer figure; wall time is what
/// a tipster waits.
struct Timing {
    var wall: Double
    var cpu: Double
}

/// Clocks for in-process work and for work done by a child process.
enum Measure {
    static func wallNow() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    static func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }

    static func cpu(_ who: Int32) -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(who), &usage)
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// Times in-process work: this process's CPU time (the work is single-threaded).
    static func inProcess(_ body: () throws -> Void) rethrows -> Timing {
        let (w0, c0) = (wallNow(), cpu(RUSAGE_SELF.rawValue))
        try body()
        return Timing(wall: wallNow() - w0, cpu: cpu(RUSAGE_SELF.rawValue) - c0)
    }

    /// Runs `argv` as a child (found on PATH), waits for it, and times it by its own rusage.
    static func child(_ argv: [String], quiet: Bool = true) throws -> Timing {
        var pid: pid_t = 0
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if quiet {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        let cArgs = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        let w0 = wallNow()
        let spawned = posix_spawnp(&pid, argv[0], &actions, nil, cArgs, environ)
        guard spawned == 0 else { throw BenchError("cannot start \(argv[0]): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let wall = wallNow() - w0
        // WIFEXITED && WEXITSTATUS == 0, spelled out: the macros are not imported.
        guard status & 0x7F == 0, (status >> 8) & 0xFF == 0 else {
            throw BenchError("\(argv[0]) failed (wait status \(status))")
        }
        return Timing(wall: wall, cpu: seconds(usage.ru_utime) + seconds(usage.ru_stime))
    }

    /// Median of each figure over `rounds` runs (wall and CPU taken separately).
    static func median(_ runs: [Timing]) -> Timing {
        func mid(_ xs: [Double]) -> Double {
            let s = xs.sorted()
            return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
        }
        return Timing(wall: mid(runs.map(\.wall)), cpu: mid(runs.map(\.cpu)))
    }

    /// True if `tool` is on PATH.
    static func available(_ tool: String) -> Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").contains {
            access("\($0)/\(tool)", X_OK) == 0
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
