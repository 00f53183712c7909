import CProcess
import Glibc

/// Settings each Tipline process applies before it reads a tip or a key (THREAT_MODEL §2):
/// - no core dump (`RLIMIT_CORE` 0 and `PR_SET_DUMPABLE` 0): a crash must not write the
///   plaintext a process holds to disk, and another process of the same user cannot attach;
/// - freed heap overwritten (`M_PERTURB`): what Swift, NIO and Foundation free — request
///   buffers, field values, scrubbed pieces — stops holding a tip once it is released; and
///   glibc's per-thread cache, whose frees skip that overwrite, turned off by re-executing
///   once with `GLIBC_TUNABLES` (`AllocatorCache`);
/// - crash signals back to their default action: Swift's backtracer prints 16 bytes of memory
///   at every register (a tip's bytes, into the logs) and then left the server hanging
///   instead of exiting; with the defaults a crash ends the process at once, with no core.
/// SecureBytes still wipes secrets itself; this covers the memory no code of ours owns.
public enum ProcessHardening {
    /// The byte glibc writes over freed heap chunks.
    public static let freedHeapByte: Int32 = 0xA5

    /// What could not be applied, in words for a log line; empty when everything held.
    @discardableResult
    public static func apply() -> [String] {
        var failed: [String] = []
        // First: on success this does not return, and the new image runs `apply` again.
        if let failure = AllocatorCache.disableByReexec(perturb: freedHeapByte) { failed.append(failure) }
        var noCore = rlimit(rlim_cur: 0, rlim_max: 0)
        if setrlimit(Int32(RLIMIT_CORE.rawValue), &noCore) != 0 { failed.append("core file size limit") }
        if tipline_set_undumpable() != 0 { failed.append("undumpable flag") }
        if tipline_perturb_freed_heap(freedHeapByte) != 1 { failed.append("freed-heap overwrite") }
        var defaultAction = sigaction()
        defaultAction.__sigaction_handler.sa_handler = SIG_DFL
        for crash in [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP] where sigaction(crash, &defaultAction, nil) != 0 {
            failed.append("default action of signal \(crash)")
        }
        return failed
    }
}
