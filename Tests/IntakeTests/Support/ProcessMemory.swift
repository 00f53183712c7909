import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Reads another process's memory the way an attacker with root would: every readable mapping
/// listed in `/proc/PID/maps`, through `/proc/PID/mem`. `PR_SET_DUMPABLE` 0 keeps other users
/// (and the same user) out, but not root with `CAP_SYS_PTRACE`, which is the adversary of
/// THREAT_MODEL §2.
enum ProcessMemory {
    struct Failure: Error, CustomStringConvertible { let description: String }

    struct Mapping {
        var start: UInt64
        var end: UInt64
        var permissions: String
        var name: String
        var size: UInt64 { end - start }
    }

    /// One place a needle was found.
    struct Hit {
        var needle: Int
        var address: UInt64
        var mapping: String
    }

    /// The mappings a reader can see: readable, not the kernel's `[vvar]`/`[vsyscall]` pages.
    static func mappings(pid: Int32) throws -> [Mapping] {
        let text = try String(contentsOfFile: "/proc/\(pid)/maps", encoding: .utf8)
        return text.split(separator: "\n").compactMap { line -> Mapping? in
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count >= 5 else { return nil }
            let range = fields[0].split(separator: "-")
            guard range.count == 2, let start = UInt64(range[0], radix: 16), let end = UInt64(range[1], radix: 16) else { return nil }
            let name = fields.count > 5 ? fields[5].trimmingCharacters(in: .whitespaces) : ""
            guard fields[1].hasPrefix("r"), name != "[vvar]", name != "[vvar_vclock]", name != "[vsyscall]", start < UInt64(Int64.max) else {
                return nil
            }
            return Mapping(start: start, end: end, permissions: String(fields[1]), name: name)
        }
    }

    /// Every occurrence of every needle in the process's readable memory. Regions are read in
    /// pieces that overlap by the longest needle, so nothing is missed at a piece boundary;
    /// pages the kernel will not hand out are skipped.
    static func search(pid: Int32, for needles: [[UInt8]]) throws -> (hits: [Hit], bytesRead: UInt64) {
        let fd = open("/proc/\(pid)/mem", O_RDONLY)
        guard fd >= 0 else {
            throw Failure(description: "cannot open /proc/\(pid)/mem: errno \(errno) (this test must run as root)")
        }
        defer { close(fd) }
        let overlap = (needles.map(\.count).max() ?? 1) - 1
        let pieceSize = 4 << 20
        var buffer = [UInt8](repeating: 0, count: pieceSize + overlap)
        var hits: [Hit] = []
        var total: UInt64 = 0
        for mapping in try mappings(pid: pid) {
            var address = mapping.start
            while address < mapping.end {
                let want = Int(min(UInt64(pieceSize + overlap), mapping.end - address))
                let got = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, off_t(Int64(bitPattern: address))) }
                if got <= 0 {
                    address += 4096  // an unreadable page (past the end of a mapped file)
                    continue
                }
                total += UInt64(min(got, pieceSize))
                buffer.withUnsafeBytes { raw in
                    for (index, needle) in needles.enumerated() {
                        needle.withUnsafeBytes { n in
                            var from = 0
                            while from + needle.count <= got,
                                let found = memmem(raw.baseAddress! + from, got - from, n.baseAddress!, needle.count)
                            {
                                let offset = raw.baseAddress!.distance(to: UnsafeRawPointer(found))
                                // A hit that starts in the overlap is found again in the next piece.
                                if offset < pieceSize || address + UInt64(got) >= mapping.end {
                                    hits.append(Hit(needle: index, address: address + UInt64(offset), mapping: mapping.name))
                                }
                                from = offset + 1
                            }
                        }
                    }
                }
                address += UInt64(min(got, pieceSize))
            }
        }
        return (hits, total)
    }

    /// Bytes around `address`, printable ASCII kept and the rest as `.`: for finding out what
    /// structure holds a copy (run with `TIPLINE_RESIDUE_DETAIL=1`).
    static func context(pid: Int32, at address: UInt64, before: Int = 48, after: Int = 80) -> String {
        let fd = open("/proc/\(pid)/mem", O_RDONLY)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        let start = address >= UInt64(before) ? address - UInt64(before) : 0
        var bytes = [UInt8](repeating: 0, count: before + after)
        let got = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, before + after, off_t(Int64(bitPattern: start))) }
        guard got > 0 else { return "" }
        return String(bytes[0..<got].map { $0 >= 0x20 && $0 < 0x7F ? Character(UnicodeScalar($0)) : "." })
    }

    /// glibc's `memmem` (the Glibc module hides it behind `_GNU_SOURCE`): a fast substring
    /// search, so a few hundred needles over a server's memory take seconds, not minutes.
    static let memmem: @convention(c) (UnsafeRawPointer?, Int, UnsafeRawPointer?, Int) -> UnsafeMutableRawPointer? = {
        guard let symbol = dlsym(nil, "memmem") else { fatalError("glibc has no memmem") }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeRawPointer?, Int, UnsafeRawPointer?, Int) -> UnsafeMutableRawPointer?).self)
    }()

    /// UTF-16LE code units of `text`: how Foundation may hold a string it converted.
    static func utf16(_ text: String) -> [UInt8] {
        text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
    }
}
