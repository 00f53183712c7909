import TiplinePolicy

/// The boxes of the rebuilt index. Only what playback needs is written, and every box that
/// could carry a name (handler names, data references) is written from constants.
extension MovieRebuilder {
    typealias W = MovieBoxWriter

    /// Neutral brands: QuickTime files stay QuickTime (their sound descriptions are read
    /// differently), everything else becomes plain ISO `isom`.
    func fileType() -> [UInt8] {
        var payload: [UInt8] = []
        let brands: [FourCC] = quickTime ? [FourCC("qt  ")] : [FourCC("isom"), FourCC("iso2"), FourCC("mp41")]
        W.appendBE(&payload, UInt64(brands[0].value), 4)
        W.appendBE(&payload, 0, 4)
        for b in brands { W.appendBE(&payload, UInt64(b.value), 4) }
        return W.box(FourCC("ftyp"), payload)
    }

    /// `offsets` nil writes zeros (a draft to learn the index's size, which offsets do not change).
    func movieBox(_ header: [UInt8], _ tracks: [KeptMovieTrack], offsets: [[Int]]?, wide: Bool) -> [UInt8] {
        var payload = header
        for (t, track) in tracks.enumerated() {
            payload += trackBox(track, offsets: offsets?[t], wide: wide)
        }
        return W.box(FourCC("moov"), payload)
    }

    private func trackBox(_ track: KeptMovieTrack, offsets: [Int]?, wide: Bool) -> [UInt8] {
        let handler = handlerBox(video: track.video)
        let mediaHeader =
            track.video
            ? W.fullBox(FourCC("vmhd"), version: 0, flags: 1, [UInt8](repeating: 0, count: 8))
            : W.fullBox(FourCC("smhd"), version: 0, flags: 0, [0, 0, 0, 0])
        let selfContained = W.fullBox(FourCC("url "), version: 0, flags: 1, [])
        let dinf = W.box(FourCC("dinf"), W.fullBox(FourCC("dref"), version: 0, flags: 0, [0, 0, 0, 1] + selfContained))
        let stbl = W.box(FourCC("stbl"), track.sampleEntries.stsd + track.copiedTables + sizeBox(track) + offsetBox(track, offsets, wide))
        let minf = W.box(FourCC("minf"), mediaHeader + dinf + stbl)
        let mdia = W.box(FourCC("mdia"), track.mediaHeader + handler + minf)
        return W.box(FourCC("trak"), track.trackHeader + (track.editList ?? []) + mdia)
    }

    /// Handler names are free text that writers fill with their own name; constants replace them.
    private func handlerBox(video: Bool) -> [UInt8] {
        let name = Array((video ? "VideoHandler" : "SoundHandler").utf8)
        var payload: [UInt8] = []
        W.appendBE(&payload, quickTime ? UInt64(FourCC("mhlr").value) : 0, 4)
        W.appendBE(&payload, UInt64(FourCC(video ? "vide" : "soun").value), 4)
        payload += [UInt8](repeating: 0, count: 12)
        payload += quickTime ? [UInt8(name.count)] + name : name + [0]
        return W.fullBox(FourCC("hdlr"), version: 0, flags: 0, payload)
    }

    private func sizeBox(_ track: KeptMovieTrack) -> [UInt8] {
        var payload: [UInt8] = []
        if let sizes = track.filteredSizes {
            W.appendBE(&payload, 0, 4)
            W.appendBE(&payload, UInt64(sizes.count), 4)
            payload.reserveCapacity(8 + 4 * sizes.count)
            for s in sizes { W.appendBE(&payload, UInt64(s), 4) }
        } else {
            W.appendBE(&payload, UInt64(track.uniformSize), 4)
            W.appendBE(&payload, UInt64(track.sampleCount), 4)
            payload.reserveCapacity(8 + 4 * track.sizes.count)
            for s in track.sizes { W.appendBE(&payload, UInt64(s), 4) }
        }
        return W.fullBox(FourCC("stsz"), version: 0, flags: 0, payload)
    }

    private func offsetBox(_ track: KeptMovieTrack, _ offsets: [Int]?, _ wide: Bool) -> [UInt8] {
        var payload: [UInt8] = []
        W.appendBE(&payload, UInt64(track.chunks.count), 4)
        payload.reserveCapacity(4 + track.chunks.count * (wide ? 8 : 4))
        for c in track.chunks.indices { W.appendBE(&payload, UInt64(offsets?[c] ?? 0), wide ? 8 : 4) }
        return W.fullBox(FourCC(wide ? "co64" : "stco"), version: 0, flags: 0, payload)
    }
}
