import CProcess
import Glibc

/// Turns off glibc's per-thread allocator cache (tcache) by re-executing the process once with
/// `GLIBC_TUNABLES` set. Why: a `free` that lands in the tcache (up to 7 chunks of each size up
/// to 1032 bytes, per thread) skips `M_PERTURB` and leaves the bytes as they were, and the
/// small allocations are exactly where a tip's message, a receipt or a field value sit. glibc
/// reads tunables only while the process starts, so no call made later can change it; an
/// `execve` of `/proc/self/exe` with the same argv and environment plus the tunables can.
///
/// Only once: the new image sees the tunable and goes on. Never when the operator set
/// `glibc.malloc.tcache_count` themselves (their choice stands), nor in a set-uid process
/// (glibc may drop the variable there, which would loop).
enum AllocatorCache {
    static let variable = "GLIBC_TUNABLES"
    static let tcacheTunable = "glibc.malloc.tcache_count"

    /// The tunables added: no tcache, and freed heap overwritten from the first allocation on
    /// (`mallopt` in `ProcessHardening.apply` covers the case where the re-exec cannot happen).
    static func tunables(perturb: Int32) -> String { "\(tcacheTunable)=0:glibc.malloc.perturb=\(perturb)" }

    /// Returns when the cache is already off (or the operator chose its size); re-executes
    /// otherwise and does not return, unless `execve` failed: then the reason, for a log line.
    static func disableByReexec(perturb: Int32) -> String? {
        let current = getenv(variable).map { String(cString: $0) }
        if let current, current.contains(tcacheTunable + "=") { return nil }
        if getauxval(UInt(AT_SECURE)) != 0 { return "allocator cache (set-uid process: set \(variable) yourself)" }
        let added = tunables(perturb: perturb)
        // Ours first: this glibc (Debian 2.36) rewrites the variable while parsing it and was seen
        // to keep only the first tunable of a list in the environment the process sees.
        let value = current.map { $0.isEmpty ? added : added + ":" + $0 } ?? added
        var environment: [UnsafeMutablePointer<CChar>?] = []
        var entry: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = environ
        while let pointer = entry.pointee {
            if !String(cString: pointer).hasPrefix(variable + "=") { environment.append(pointer) }
            entry += 1
        }
        let setting = strdup(variable + "=" + value)
        environment.append(setting)
        environment.append(nil)
        environment.withUnsafeBufferPointer { env in
            _ = execve("/proc/self/exe", CommandLine.unsafeArgv, env.baseAddress)
        }
        let reason = errno
        free(setting)
        return "allocator cache (re-exec failed: errno \(reason))"
    }
}
