import Testing
import TiplinePolicy

@testable import TiplineRedaction

/// Feeds `bytes` to a fresh verifier in pieces of the given sizes (cycled), then finishes.
private func verify(_ bytes: [UInt8], pieces: [Int] = []) throws(RedactionError) {
    var v = MovieVerifier(options: ScrubOptions())
    var i = 0
    var k = 0
    while i < bytes.count {
        let n = pieces.isEmpty ? bytes.count : min(max(pieces[k % pieces.count], 1), bytes.count - i)
        k += 1
        let piece = Array(bytes[i..<(i + n)])
        try piece.withRawBytes { (raw) throws(RedactionError) in try v.consume(raw) }
        i += n
    }
    try v.finish()
}

/// The verification failure's reason, fed whole and in 1-byte pieces (which must agree), or nil.
private func rejection(_ bytes: [UInt8]) -> String? {
    var reasons: [String] = []
    for pieces in [[], [1]] {
        do throws(RedactionError) {
            try verify(bytes, pieces: pieces)
        } catch {
            guard case .verificationFailed(.mp4, let reason) = error else { return nil }
            reasons.append(reason)
        }
    }
    return reasons.count == 2 && reasons[0] == reasons[1] ? reasons[0] : nil
}

private func passes(_ m: MovieBytes) -> Bool {
    do throws(RedactionError) {
        try verify(m.build())
        try verify(m.build(), pieces: [1])
        return true
    } catch {
        Issue.record("\(error)")
        return false
    }
}

/// Offset of the first box of `type` in `bytes` (its size field).
private func boxOffset(_ type: String, in bytes: [UInt8], after: Int = 0) -> Int {
    let t = Array(type.utf8)
    for i in (after + 4)...(bytes.count - 4) where Array(bytes[i..<(i + 4)]) == t { return i - 4 }
    fatalError("no \(type)")
}

private func put(_ v: UInt32, at i: Int, in bytes: inout [UInt8]) {
    for k in 0..<4 { bytes[i + k] = UInt8(truncatingIfNeeded: v >> UInt32(24 - 8 * k)) }
}

typealias MB = MovieBytes

@Suite struct MovieVerifierTests {
    @Test func validMoviePassesWholeAndInPieces() throws {
        let bytes = MB().build()
        try verify(bytes)
        try verify(bytes, pieces: [1])
        var seed: UInt64 = 0x9E37_79B9
        for _ in 0..<20 {
            var sizes: [Int] = []
            for _ in 0..<64 {
                seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                sizes.append(Int(seed >> 59) + 1)
            }
            try verify(bytes, pieces: sizes)
        }
    }

    @Test func variantsThatAreValidPass() {
        #expect(passes(MB(co64: true)))
        #expect(passes(MB(largeMdat: true)))
        #expect(passes(MB(co64: true, largeMdat: true)))
        #expect(passes(MB(hevc: true)))
        #expect(passes(MB(mvhdVersion: 1, tkhdVersion: 1, mdhdVersion: 1)))
        #expect(passes(MB(compatible: [])))
        var qt = MB(brand: "qt  ", compatible: ["qt  "])
        qt.videoHandlerName = [12] + Array("VideoHandler".utf8)
        qt.audioEntry = MB.box(
            "mp4a", MB.zeros(6), MB.be(1, 2), MB.be(1, 2), MB.zeros(6), MB.be(2, 2), MB.be(16, 2), MB.be(0xFFFE, 2), MB.zeros(2),
            MB.be(44100 << 16, 4), MB.zeros(16),
            MB.box(
                "wave", MB.box("frma", Array("mp4a".utf8)), MB.box("mp4a", MB.zeros(4)), MB.full("esds", 0, 0, [3, 0]), MB.be(8, 4) + MB.zeros(4)),
            MB.box("chan", MB.zeros(12)))
        #expect(passes(qt))
        #expect(passes(MB(videoEntryExtra: [MB.box("pasp", MB.be(1, 4), MB.be(1, 4)), MB.box("colr", Array("nclx".utf8), MB.zeros(7))])))
    }

    @Test func nonZeroTimesFail() {
        for v: UInt8 in [0, 1] {
            #expect(rejection(MB(mvhdVersion: v, mvhdTimes: (1, 0)).build())?.contains("mvhd") == true)
            #expect(rejection(MB(mvhdVersion: v, mvhdTimes: (0, 1)).build())?.contains("mvhd") == true)
            #expect(rejection(MB(tkhdVersion: v, tkhdTimes: (0x7FFF_FFFF, 0)).build())?.contains("tkhd") == true)
            #expect(rejection(MB(tkhdVersion: v, tkhdTimes: (0, 5)).build())?.contains("tkhd") == true)
            #expect(rejection(MB(mdhdVersion: v, mdhdTimes: (3, 3)).build())?.contains("mdhd") == true)
        }
        #expect(rejection(MB(mvhdVersion: 1, mvhdTimes: (1 << 40, 0)).build()) != nil)
    }

    @Test func metadataBoxesFail() {
        let udta = MB.box("udta", MB.box("\u{A9}day", MB.zeros(8)))
        #expect(rejection(MB(moovExtra: [udta]).build())?.contains("udta") == true)
        #expect(rejection(MB(moovExtra: [MB.full("meta", 0, 0, MB.full("hdlr", 0, 0, MB.zeros(20)))]).build()) != nil)
        #expect(rejection(MB(videoTrakExtra: [MB.full("meta", 0, 0)]).build())?.contains("meta") == true)
        #expect(rejection(MB(moovExtra: [MB.box("uuid", MB.zeros(16))]).build())?.contains("uuid") == true)
        #expect(rejection(MB(videoTrakExtra: [MB.box("uuid", MB.zeros(16))]).build())?.contains("uuid") == true)
        #expect(rejection(MB(videoEntryExtra: [MB.box("uuid", MB.zeros(16))]).build())?.contains("uuid") == true)
        #expect(rejection(MB(videoTrakExtra: [MB.box("tref", MB.box("cdsc", MB.be(1, 4)))]).build())?.contains("tref") == true)
        #expect(rejection(MB(videoTrakExtra: [MB.box("udta", MB.zeros(4))]).build()) != nil)
        for top in ["free", "skip", "iods", "mvex"] {
            #expect(rejection(MB(moovExtra: [MB.box(top, MB.zeros(4))]).build())?.contains(top) == true)
        }
        var sinf = MB()
        sinf.audioEntry = MB.box("mp4a", MB.zeros(6), MB.be(1, 2), MB.zeros(20), MB.box("sinf", MB.zeros(8)))
        #expect(rejection(sinf.build())?.contains("sinf") == true)
    }

    @Test func otherTracksAndSampleEntriesFail() {
        let base = MB()
        for handler in ["meta", "text", "tmcd", "sbtl"] {
            let m = MB(extraTracks: [base.emptyTrack(handler: handler, entry: MB.box("tx3g", MB.zeros(8)))])
            #expect(rejection(m.build())?.contains("handler type") == true)
        }
        let tx3g = MB.box("tx3g", MB.zeros(6), MB.be(1, 2), MB.zeros(30))
        #expect(rejection(MB(extraTracks: [base.emptyTrack(handler: "vide", entry: tx3g)]).build())?.contains("tx3g") == true)
        let gpmd = MB.box("gpmd", MB.zeros(6), MB.be(1, 2))
        let gp = base.emptyTrack(handler: "soun", entry: gpmd, name: Array("SoundHandler\0".utf8))
        #expect(rejection(MB(extraTracks: [gp]).build())?.contains("gpmd") == true)
        // A video entry in a sound track.
        let swapped = base.emptyTrack(handler: "soun", entry: base.videoEntry, name: Array("SoundHandler\0".utf8))
        #expect(rejection(MB(extraTracks: [swapped]).build()) != nil)
    }

    @Test func handlerNamesAndCompressorNameMustBeConstant() {
        #expect(rejection(MB(videoHandlerName: Array("Core Media Video\0".utf8)).build())?.contains("hdlr") == true)
        #expect(rejection(MB(soundHandlerName: Array("SoundHandler".utf8)).build())?.contains("hdlr") == true)
        #expect(rejection(MB(videoHandlerName: Array("VideoHandler\0\0".utf8)).build()) != nil)
        // A Pascal-string name is only for QuickTime.
        #expect(rejection(MB(videoHandlerName: [12] + Array("VideoHandler".utf8)).build()) != nil)
        var name = MB.zeros(32)
        name[0] = 13
        for (i, b) in "iPhone 15 Pro".utf8.enumerated() { name[i + 1] = b }
        #expect(rejection(MB(compressorName: name).build())?.contains("compressor") == true)
    }

    @Test func dataReferenceMustBeSelfContained() {
        let withString = MB.full("url ", 0, 0, Array("file:///Users/alice/x.mov\0".utf8))
        #expect(rejection(MB(drefEntries: [withString]).build())?.contains("url") == true)
        #expect(rejection(MB(drefEntries: [MB.full("url ", 0, 0)]).build()) != nil)
        #expect(rejection(MB(drefEntries: [MB.full("url ", 0, 1, Array("x\0".utf8))]).build()) != nil)
        #expect(rejection(MB(drefEntries: [MB.full("alis", 0, 1)]).build()) != nil)
        #expect(rejection(MB(drefEntries: [MB.full("url ", 0, 1), MB.full("url ", 0, 1)]).build()) != nil)
    }

    @Test func sampleGeometryMustTileMdat() {
        #expect(rejection(MB(audioOffsetDelta: 1000).build())?.contains("outside") == true)
        #expect(rejection(MB(audioOffsetDelta: -200).build())?.contains("outside") == true)
        #expect(rejection(MB(gapAfterVideo: [0]).build())?.contains("no sample") == true)
        #expect(rejection(MB(audioOffsetDelta: -1).build())?.contains("overlap") == true)
        #expect(rejection(MB(extraVideoSizes: [5]).build())?.contains("stsc") == true)
        // stts disagreeing with stsz.
        var b = MB().build()
        let stts = boxOffset("stts", in: b)
        put(4, at: stts + 16, in: &b)
        #expect(rejection(b)?.contains("stts") == true)
    }

    @Test func seiUserDataFails() {
        var m = MB()
        let t5 = MB.nal([0x06, 0x05, 0x03, 0xAA, 0xBB, 0xCC, 0x80])
        m.videoSamples = [MB.avcSamples[0], t5 + MB.nal([0x41, 0x9A, 0x02]), MB.avcSamples[2]]
        #expect(rejection(m.build())?.contains("type 5") == true)
        let t4 = MB.nal([0x06, 0x06, 0x01, 0xC4, 0x04, 0x02, 0xB5, 0x00, 0x80])
        m.videoSamples = [MB.avcSamples[0], MB.avcSamples[1], MB.avcSamples[2] + t4]
        #expect(rejection(m.build())?.contains("type 4") == true)
        // Type 5 hidden behind an emulation-prevention byte: only visible once 00 00 03 is undone.
        let hidden = MB.nal([0x06, 0x06, 0x03, 0x00, 0x00, 0x03, 0x00, 0x05, 0x03, 0xAA, 0xBB, 0xCC, 0x80])
        m.videoSamples = [hidden, MB.avcSamples[1], MB.avcSamples[2]]
        #expect(rejection(m.build())?.contains("type 5") == true)
        // A type written as 0xFF runs (255 + 1 = 256) is not kept either.
        m.videoSamples = [MB.nal([0x06, 0xFF, 0x01, 0x00, 0x80]), MB.avcSamples[1], MB.avcSamples[2]]
        #expect(rejection(m.build()) != nil)
        // HEVC prefix and suffix SEI.
        var h = MB(hevc: true)
        h.videoSamples = [MB.hevcSamples[0], MB.nal([0x4E, 0x01, 0x05, 0x01, 0xAA, 0x80]) + MB.hevcSamples[1], MB.hevcSamples[2]]
        #expect(rejection(h.build())?.contains("type 5") == true)
        h.videoSamples = [MB.hevcSamples[0], MB.hevcSamples[1], MB.nal([0x50, 0x01, 0x04, 0x01, 0xAA, 0x80])]
        #expect(rejection(h.build())?.contains("type 4") == true)
        #expect(rejection(MB(hevc: true, hevcSEIArray: true).build())?.contains("hvcC") == true)
        // An SEI NAL without its trailing bits, and one whose message overruns it.
        m.videoSamples = [MB.nal([0x06, 0x06, 0x01, 0xC4]), MB.avcSamples[1], MB.avcSamples[2]]
        #expect(rejection(m.build()) != nil)
        m.videoSamples = [MB.nal([0x06, 0x06, 0x09, 0xC4, 0x80]), MB.avcSamples[1], MB.avcSamples[2]]
        #expect(rejection(m.build()) != nil)
    }

    @Test func oversizedSEIFailsWithoutBeingHeld() {
        var m = MB()
        let big = [0x06, 0x06, 0x01, 0xC4] + MB.zeros(1 << 20) + [0x80]
        m.videoSamples = [MB.nal(big), MB.avcSamples[1], MB.avcSamples[2]]
        #expect(rejection(m.build())?.contains("1 MiB") == true)
    }

    @Test func nalLengthsMustTileSamples() {
        var m = MB()
        m.videoSamples = [MB.avcSamples[0], MB.be(10, 4) + [0x41, 0x9A, 0x02], MB.avcSamples[2]]
        #expect(rejection(m.build())?.contains("tile") == true)
        m.videoSamples = [MB.avcSamples[0], MB.nal([0x41, 0x9A]) + [0, 0], MB.avcSamples[2]]
        #expect(rejection(m.build())?.contains("tile") == true)
        m.videoSamples = [MB.avcSamples[0], MB.nal([0x41, 0x9A]) + MB.be(0, 4), MB.avcSamples[2]]
        #expect(rejection(m.build())?.contains("tile") == true)
    }

    @Test func topLevelLayoutIsExact() {
        let m = MB()
        let p = m.parts()
        #expect(rejection(MB(trailing: MB.box("free", MB.zeros(4))).build())?.contains("after mdat") == true)
        #expect(rejection(MB(trailing: [0]).build())?.contains("after mdat") == true)
        #expect(rejection(Array(m.build().dropLast())) != nil)
        #expect(rejection(p.ftyp + p.mdat + p.moov) != nil)
        #expect(rejection(p.moov + p.mdat) != nil)
        #expect(rejection(p.ftyp + p.moov) != nil)
        #expect(rejection(p.ftyp + MB.box("free", []) + p.moov + p.mdat) != nil)
        #expect(rejection(MB(brand: "mp42", compatible: ["mp42", "isom"]).build())?.contains("ftyp") == true)
        #expect(rejection(MB(compatible: ["isom", "avc1"]).build())?.contains("ftyp") == true)
        #expect(rejection(MB(minorVersion: 0x200).build())?.contains("ftyp") == true)
        #expect(rejection(MB(brand: "qt  ", compatible: ["isom"]).build()) != nil)
        // mdat of size 0 ("to end of file") is not allowed in output.
        var b = m.build()
        put(0, at: p.ftyp.count + p.moov.count, in: &b)
        #expect(rejection(b) != nil)
    }

    @Test func everyTruncationFails() {
        for bytes in [MB().build(), MB(hevc: true, co64: true, largeMdat: true).build()] {
            for n in 0..<bytes.count {
                #expect(rejection(Array(bytes.prefix(n))) != nil, "prefix of \(n) bytes passed")
            }
        }
    }

    @Test func hostileCountsFailFast() {
        let base = MB().build()
        var cases: [[UInt8]] = []
        var b = base
        let stsz = boxOffset("stsz", in: b)
        put(0xFFFF_FFFF, at: stsz + 16, in: &b)
        cases.append(b)
        b = base
        put(1, at: stsz + 12, in: &b)  // constant sample size: the count is not bounded by the box
        put(0xFFFF_FFFF, at: stsz + 16, in: &b)
        cases.append(b)
        b = base
        put(0xFFFF_FFFF, at: boxOffset("stco", in: b) + 12, in: &b)
        cases.append(b)
        b = base
        put(0xFFFF_FFFF, at: boxOffset("stsc", in: b) + 12, in: &b)
        cases.append(b)
        b = base
        put(0xFFFF_FFFF, at: boxOffset("stsc", in: b) + 20, in: &b)  // samples_per_chunk
        cases.append(b)
        b = base
        put(0xFFFF_FFFF, at: boxOffset("stts", in: b) + 12, in: &b)
        cases.append(b)
        b = base
        put(0xFFFF_FFFF, at: boxOffset("stsd", in: b) + 12, in: &b)
        cases.append(b)
        b = base
        let video = boxOffset("stsz", in: b)
        put(1, at: video + 12, in: &b)
        put(0xFFFF_FFFF, at: video + 16, in: &b)
        let stts = boxOffset("stts", in: b)
        put(0xFFFF_FFFF, at: stts + 16, in: &b)
        put(0xFFFF_FFFF, at: boxOffset("stsc", in: b) + 20, in: &b)
        cases.append(b)
        for c in cases { #expect(rejection(c) != nil) }
    }

    @Test func reasonsNameNoValues() {
        let secret = "file:///Users/alice/x.mov"
        let withString = MB.full("url ", 0, 0, Array((secret + "\0").utf8))
        let reason = rejection(MB(drefEntries: [withString]).build()) ?? ""
        #expect(!reason.contains("alice") && !reason.isEmpty)
        let named = rejection(MB(videoHandlerName: Array("Alice's iPhone\0".utf8)).build()) ?? ""
        #expect(!named.contains("Alice") && !named.isEmpty)
    }
}
