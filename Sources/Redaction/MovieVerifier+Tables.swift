import TiplinePolicy

extension MovieVerifier {
    enum Coding { case plain, avc, hevc }

    struct SampleEntry {
        var coding: Coding
        var lengthSize: Int
    }

    struct Track {
        var entries: [SampleEntry]
        var sampleCount: Int
        /// stsz's sample_size; 0 means the per-sample table at `sizeTable` in the held moov.
        var constantSize: Int
        var sizeTable: Int
    }

    /// A run of samples stored together; its samples are contiguous by definition.
    struct Chunk {
        var offset: Int
        var length: Int
        var track: Int
        var firstSample: Int
        var samples: Int
        var entry: Int
    }

    struct Layout {
        var moov: [UInt8]
        var tracks: [Track]
        var chunks: [Chunk]

        func sampleSize(track: Int, sample: Int) -> Int {
            let t = tracks[track]
            if t.constantSize != 0 { return t.constantSize }
            let i = t.sizeTable + 4 * sample
            return moov[i..<(i + 4)].reduce(0) { $0 << 8 | Int($1) }
        }
    }

    static let videoEntries: Set<String> = ["avc1", "avc3", "hvc1", "hev1"]
    static let audioEntries: Set<String> = [
        "mp4a", "alac", "Opus", "ac-3", "ec-3", "samr", "sawb", "fLaC", "lpcm", "sowt", "twos", "in24", "in32", "fl32",
        "fl64", "ipcm",
    ]
    static let visualChildren: Set<String> = [
        "avcC", "hvcC", "colr", "pasp", "btrt", "clap", "fiel", "mdcv", "clli", "dvcC", "dvvC", "dvwC",
    ]
    static let audioChildren: Set<String> = [
        "esds", "dOps", "alac", "dac3", "dec3", "damr", "chan", "btrt", "dfLa", "pcmC", "srat", "wave",
    ]
    static let waveChildren: Set<String> = ["frma", "mp4a", "esds", "enda", "chan", "alac", "0x00000000"]
    static let stblChildren: Set<String> = [
        "stsd", "stts", "ctts", "stss", "stps", "sdtp", "stsc", "stsz", "stco", "co64", "sgpd", "sbgp", "cslg",
    ]
    static let largestOffset = 1 << 60
}

extension MovieVerifier.MoovParser {
    typealias V = MovieVerifier

    func stbl(_ stbl: Box, handler: V.Handler, into layout: inout V.Layout) throws(RedactionError) {
        var t: [String: Box] = [:]
        for k in try children(of: stbl) {
            let n = k.name
            guard V.stblChildren.contains(n) else { throw movieFail("\(at(k)) is not allowed in stbl") }
            guard n == "sgpd" || n == "sbgp" || t[n] == nil else { throw movieFail("\(at(k)) appears twice in stbl") }
            guard k.bodyCount >= 4 else { throw movieFail("\(at(k)) is too short") }
            t[n] = k
        }
        for r in ["stsd", "stts", "stsc", "stsz"] where t[r] == nil { throw movieFail("\(at(stbl)) has no \(r)") }
        guard (t["stco"] == nil) != (t["co64"] == nil) else { throw movieFail("\(at(stbl)) needs exactly one of stco and co64") }
        let entries = try stsd(t["stsd"]!, handler: handler)

        // Sample sizes.
        let stsz = t["stsz"]!
        var c = Cursor(bytes, stsz)
        guard try c.zeros(4) else { throw movieFail("\(at(stsz)) has a version or flags") }
        let constant = try c.u32()
        let count = try c.u32()
        guard constant != 0 ? c.left == 0 : (count <= c.left / 4 && c.left == 4 * count) else {
            throw movieFail("\(at(stsz)) sample count does not fit its size")
        }
        let track = V.Track(entries: entries, sampleCount: count, constantSize: constant, sizeTable: c.pos)

        // Decoding times must count the same samples.
        let stts = t["stts"]!
        let (timeEntries, timeStart) = try table(stts, entry: { _ in 8 }, versions: 0...0)
        var timed = 0
        for e in 0..<timeEntries { timed += be32(timeStart + 8 * e) }
        guard timed == count else { throw movieFail("\(at(stts)) counts a different number of samples than stsz") }
        for n in ["ctts"] { if let b = t[n] { try table(b, entry: { _ in 8 }) } }
        for n in ["stss", "stps"] { if let b = t[n] { try table(b, entry: { _ in 4 }, versions: 0...0) } }

        // Chunks.
        let stsc = t["stsc"]!
        let (runs, runStart) = try table(stsc, entry: { _ in 12 }, versions: 0...0)
        let wide = t["co64"] != nil
        let co = t["co64"] ?? t["stco"]!
        let (chunkCount, chunkStart) = try table(co, entry: { _ in wide ? 8 : 4 }, versions: 0...0)
        guard chunkCount > 0 || count == 0 else { throw movieFail("\(at(co)) has no chunk for the samples") }
        guard runs > 0 || chunkCount == 0 else { throw movieFail("\(at(stsc)) has no entry") }
        var previous = 0
        for r in 0..<runs {
            let first = be32(runStart + 12 * r)
            let perChunk = be32(runStart + 12 * r + 4)
            let sdi = be32(runStart + 12 * r + 8)
            guard r > 0 || first == 1, first > previous, first <= chunkCount else { throw movieFail("\(at(stsc)) first_chunk out of order") }
            guard perChunk >= 1 else { throw movieFail("\(at(stsc)) has an empty chunk") }
            guard sdi >= 1, sdi <= entries.count else { throw movieFail("\(at(stsc)) names a missing sample description") }
            previous = first
        }
        var run = 0
        var sample = 0
        let trackIndex = layout.tracks.count
        for chunk in 0..<chunkCount {
            while run + 1 < runs && be32(runStart + 12 * (run + 1)) <= chunk + 1 { run += 1 }
            let perChunk = be32(runStart + 12 * run + 4)
            let sdi = be32(runStart + 12 * run + 8)
            let offset =
                wide
                ? bytes[(chunkStart + 8 * chunk)..<(chunkStart + 8 * chunk + 8)].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                : UInt64(be32(chunkStart + 4 * chunk))
            guard offset <= UInt64(V.largestOffset) else { throw movieFail("\(at(co)) chunk \(chunk + 1) lies outside mdat") }
            var length = 0
            if constant != 0 {
                let (product, overflow) = perChunk.multipliedReportingOverflow(by: constant)
                guard !overflow, product <= V.largestOffset else { throw movieFail("\(at(stsz)) chunk \(chunk + 1) is too large") }
                length = product
            } else {
                guard perChunk <= count - sample else { throw movieFail("\(at(stsc)) puts more samples in chunks than stsz has") }
                for s in sample..<(sample + perChunk) { length += be32(track.sizeTable + 4 * s) }
            }
            guard perChunk <= count - sample else { throw movieFail("\(at(stsc)) puts more samples in chunks than stsz has") }
            layout.chunks.append(
                V.Chunk(offset: Int(offset), length: length, track: trackIndex, firstSample: sample, samples: perChunk, entry: sdi - 1))
            sample += perChunk
        }
        guard sample == count else { throw movieFail("\(at(stsc)) puts fewer samples in chunks than stsz has") }
        layout.tracks.append(track)
    }

    func be32(_ i: Int) -> Int { bytes[i..<(i + 4)].reduce(0) { $0 << 8 | Int($1) } }

    func stsd(_ stsd: Box, handler: V.Handler) throws(RedactionError) -> [V.SampleEntry] {
        var c = Cursor(bytes, stsd)
        guard try c.zeros(4) else { throw movieFail("\(at(stsd)) has a version or flags") }
        let count = try c.u32()
        let kids = try children(of: stsd, from: c.pos)
        guard count >= 1, kids.count == count else { throw movieFail("\(at(stsd)) entry count does not match its entries") }
        var out: [V.SampleEntry] = []
        for e in kids {
            let n = e.name
            if V.videoEntries.contains(n) {
                guard handler == .video else { throw movieFail("video sample entry \(at(e)) in a sound track") }
                out.append(try visual(e))
            } else if V.audioEntries.contains(n) {
                guard handler == .sound else { throw movieFail("audio sample entry \(at(e)) in a video track") }
                try audio(e)
                out.append(V.SampleEntry(coding: .plain, lengthSize: 0))
            } else {
                throw movieFail("sample entry \(at(e)) is not allowed")
            }
        }
        return out
    }

    /// The 6 reserved bytes and data_reference_index 1 that start every sample entry.
    func entryStart(_ e: Box, _ c: inout V.Cursor) throws(RedactionError) {
        guard try c.zeros(6) else { throw movieFail("\(at(e)) has non-zero reserved bytes") }
        guard try c.u16() == 1 else { throw movieFail("\(at(e)) data reference index is not 1") }
    }

    func visual(_ e: Box) throws(RedactionError) -> V.SampleEntry {
        var c = Cursor(bytes, e)
        try entryStart(e, &c)
        try c.skip(34)
        guard try c.zeros(32) else { throw movieFail("\(at(e)) has a compressor name") }
        try c.skip(4)
        let hevc = e.name.hasPrefix("h")
        let config = hevc ? "hvcC" : "avcC"
        var found: [String: Box] = [:]
        for k in try children(of: e, from: c.pos) {
            guard V.visualChildren.contains(k.name), k.name != (hevc ? "avcC" : "hvcC") else {
                throw movieFail("\(at(k)) is not allowed in \(e.name)")
            }
            guard found[k.name] == nil else { throw movieFail("\(at(k)) appears twice in \(e.name)") }
            found[k.name] = k
        }
        guard let box = found[config] else { throw movieFail("\(at(e)) has no \(config)") }
        return V.SampleEntry(coding: hevc ? .hevc : .avc, lengthSize: hevc ? try hvcC(box) : try avcC(box))
    }

    func avcC(_ box: Box) throws(RedactionError) -> Int {
        var c = Cursor(bytes, box)
        guard try c.u8() == 1 else { throw movieFail("\(at(box)) has an unknown version") }
        try c.skip(3)
        let lengthSize = Int(try c.u8() & 3) + 1
        guard lengthSize != 3 else { throw movieFail("\(at(box)) has a NAL length size of 3") }
        for (count, type) in [(Int(try c.u8() & 0x1F), UInt8(7)), (-1, 8)] {
            let n = count >= 0 ? count : Int(try c.u8())
            for _ in 0..<n {
                let length = try c.u16()
                try c.need(length)
                guard length >= 1, bytes[c.pos] & 0x1F == type else { throw movieFail("\(at(box)) holds a NAL unit that is not a parameter set") }
                try c.skip(length)
            }
        }
        return lengthSize
    }

    func hvcC(_ box: Box) throws(RedactionError) -> Int {
        var c = Cursor(bytes, box)
        guard try c.u8() == 1 else { throw movieFail("\(at(box)) has an unknown version") }
        try c.skip(20)
        let lengthSize = Int(try c.u8() & 3) + 1
        guard lengthSize != 3 else { throw movieFail("\(at(box)) has a NAL length size of 3") }
        for _ in 0..<Int(try c.u8()) {
            let type = try c.u8() & 0x3F
            guard type != 39 && type != 40 else { throw movieFail("\(at(box)) holds an SEI array") }
            for _ in 0..<(try c.u16()) {
                let length = try c.u16()
                try c.need(length)
                guard length >= 2 else { throw movieFail("\(at(box)) holds a NAL unit shorter than its header") }
                let own = (bytes[c.pos] >> 1) & 0x3F
                guard own != 39 && own != 40 else { throw movieFail("\(at(box)) holds an SEI NAL unit") }
                try c.skip(length)
            }
        }
        guard c.left == 0 else { throw movieFail("\(at(box)) has bytes after its NAL arrays") }
        return lengthSize
    }

    func audio(_ e: Box) throws(RedactionError) {
        var c = Cursor(bytes, e)
        try entryStart(e, &c)
        let version = try c.u16()
        let extra: Int
        switch version {
        case 0: extra = 0
        case 1 where quickTime: extra = 16
        case 2 where quickTime: extra = 36
        default: throw movieFail("\(at(e)) has sound description version \(version)")
        }
        try c.skip(18 + extra)
        try only(children(of: e, from: c.pos), in: e, V.audioChildren)
    }

    /// Each child is on `allowed` (once); a `wave` child is read the same way one level down.
    func only(_ kids: [Box], in parent: Box, _ allowed: Set<String>) throws(RedactionError) {
        var seen: Set<String> = []
        for k in kids {
            guard allowed.contains(k.name) else { throw movieFail("\(at(k)) is not allowed in \(parent.name)") }
            guard seen.insert(k.name).inserted else { throw movieFail("\(at(k)) appears twice in \(parent.name)") }
            if k.name == "wave" { try only(children(of: k), in: k, V.waveChildren) }
            if k.type == 0 { guard k.end - k.start == 8 else { throw movieFail("\(at(k)) terminator is not empty") } }
        }
    }
}
