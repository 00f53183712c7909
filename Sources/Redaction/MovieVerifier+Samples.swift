import TiplinePolicy

extension MovieVerifier {
    static let keptAVCSEI: Set<Int> = [0, 6, 19, 45, 47, 137, 144, 147]
    static let keptHEVCSEI: Set<Int> = [0, 6, 19, 129, 132, 137, 144, 147]

    /// Walks the `mdat` payload chunk by chunk as it streams past; the chunks, sorted by offset,
    /// must tile the payload exactly. Video samples go through a NAL walker; the rest are skipped.
    struct MediaWalk {
        let layout: Layout
        let chunks: [Chunk]
        var next = 0
        var chunkLeft = 0
        var track = 0
        var nextSample = 0
        var samplesLeft = 0
        var walker: NALWalk?
        var position: Int

        init(layout: Layout, payloadStart: Int, payloadEnd: Int) throws(RedactionError) {
            self.layout = layout
            self.chunks = layout.chunks.sorted { ($0.offset, $0.length) < ($1.offset, $1.length) }
            self.position = payloadStart
            for c in chunks where c.offset < payloadStart || c.offset > payloadEnd || c.length > payloadEnd - c.offset {
                throw movieFail("a chunk of track \(c.track + 1) at offset \(c.offset) lies outside the mdat payload")
            }
            var cursor = payloadStart
            for c in chunks {
                guard c.offset <= cursor else { throw movieFail("mdat bytes at offset \(cursor) belong to no sample") }
                guard c.offset == cursor else { throw movieFail("samples overlap at offset \(c.offset)") }
                cursor += c.length
            }
            guard cursor == payloadEnd else { throw movieFail("mdat bytes at offset \(cursor) belong to no sample") }
        }

        mutating func feed(_ bytes: UnsafeRawBufferPointer) throws(RedactionError) {
            var i = 0
            while i < bytes.count {
                while chunkLeft == 0 { try open() }
                var n = min(chunkLeft, bytes.count - i)
                if var w = walker {
                    walker = nil  // keeps `w.sei` uniquely referenced, so appending never copies it
                    if w.sampleLeft == 0 {
                        guard samplesLeft > 0 else { throw movieFail("a chunk at offset \(position) is longer than its samples") }
                        w.begin(size: layout.sampleSize(track: track, sample: nextSample), at: position)
                        nextSample += 1
                        samplesLeft -= 1
                    }
                    n = min(n, w.sampleLeft)
                    if n > 0 { try w.feed(UnsafeRawBufferPointer(rebasing: bytes[i..<(i + n)])) }
                    if w.sampleLeft == 0 { try w.end() }
                    walker = w
                }
                i += n
                chunkLeft -= n
                position += n
            }
        }

        private mutating func open() throws(RedactionError) {
            guard next < chunks.count else { throw movieFail("mdat bytes at offset \(position) belong to no sample") }
            let c = chunks[next]
            next += 1
            chunkLeft = c.length
            track = c.track
            nextSample = c.firstSample
            samplesLeft = c.samples
            let entry = layout.tracks[c.track].entries[c.entry]
            walker = entry.coding == .plain ? nil : NALWalk(hevc: entry.coding == .hevc, lengthSize: entry.lengthSize)
        }
    }

    /// Follows one video sample's length-prefixed NAL units; holds only SEI NAL units.
    struct NALWalk {
        enum State {
            case length(got: Int, value: Int)
            case header(length: Int)
            case skip(Int)
            case sei(Int)
        }
        let hevc: Bool
        let lengthSize: Int
        var state = State.length(got: 0, value: 0)
        var sampleLeft = 0
        var sampleOffset = 0
        var sei: [UInt8] = []

        init(hevc: Bool, lengthSize: Int) {
            self.hevc = hevc
            self.lengthSize = lengthSize
        }

        mutating func begin(size: Int, at offset: Int) {
            sampleLeft = size
            sampleOffset = offset
            state = .length(got: 0, value: 0)
        }

        mutating func end() throws(RedactionError) {
            guard case .length(0, _) = state else {
                throw movieFail("NAL unit lengths do not tile the video sample at offset \(sampleOffset)")
            }
        }

        mutating func feed(_ bytes: UnsafeRawBufferPointer) throws(RedactionError) {
            var i = 0
            while i < bytes.count {
                switch state {
                case .length(let got, let value):
                    let v = value << 8 | Int(bytes[i])
                    i += 1
                    sampleLeft -= 1
                    if got + 1 < lengthSize {
                        state = .length(got: got + 1, value: v)
                    } else {
                        guard v >= (hevc ? 2 : 1), v <= sampleLeft else {
                            throw movieFail("NAL unit lengths do not tile the video sample at offset \(sampleOffset)")
                        }
                        state = .header(length: v)
                    }
                case .header(let length):
                    let b = bytes[i]
                    let type = hevc ? Int(b >> 1) & 0x3F : Int(b & 0x1F)
                    if hevc ? (type == 39 || type == 40) : type == 6 {
                        guard length <= MovieVerifier.maxSEIBytes else {
                            throw movieFail("an SEI NAL unit in the video sample at offset \(sampleOffset) is larger than 1 MiB")
                        }
                        sei = [b]
                        state = .sei(length - 1)
                    } else {
                        state = .skip(length - 1)
                    }
                    i += 1
                    sampleLeft -= 1
                    try nalDone()
                case .skip(let left):
                    let k = min(left, bytes.count - i)
                    i += k
                    sampleLeft -= k
                    state = .skip(left - k)
                    try nalDone()
                case .sei(let left):
                    let k = min(left, bytes.count - i)
                    sei.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[i..<(i + k)]))
                    i += k
                    sampleLeft -= k
                    state = .sei(left - k)
                    try nalDone()
                }
            }
        }

        private mutating func nalDone() throws(RedactionError) {
            switch state {
            case .skip(0):
                state = .length(got: 0, value: 0)
            case .sei(0):
                try MovieVerifier.checkSEI(sei, hevc: hevc, sampleOffset: sampleOffset)
                sei = []
                state = .length(got: 0, value: 0)
            default:
                break
            }
        }
    }

    /// Fails unless every message of the SEI NAL unit `nal` has a kept payload type.
    static func checkSEI(_ nal: [UInt8], hevc: Bool, sampleOffset: Int) throws(RedactionError) {
        var rbsp: [UInt8] = []
        rbsp.reserveCapacity(nal.count)
        var zeros = 0
        for b in nal.dropFirst(hevc ? 2 : 1) {
            if zeros >= 2 && b == 3 {
                zeros = 0
                continue
            }
            rbsp.append(b)
            zeros = b == 0 ? zeros + 1 : 0
        }
        let kept = hevc ? keptHEVCSEI : keptAVCSEI
        let here = "the SEI NAL unit in the video sample at offset \(sampleOffset)"
        var i = 0
        func isTrailing(_ i: Int) -> Bool { rbsp[i] == 0x80 && rbsp[(i + 1)...].allSatisfy { $0 == 0 } }
        while i < rbsp.count && !isTrailing(i) {
            var values = [0, 0]
            for v in 0..<2 {
                while true {
                    guard i < rbsp.count else { throw movieFail("\(here) ends inside a message header") }
                    let b = rbsp[i]
                    i += 1
                    values[v] += Int(b)
                    if b != 0xFF { break }
                }
            }
            guard kept.contains(values[0]) else { throw movieFail("\(here) holds an SEI message of type \(values[0]), which is not kept") }
            guard values[1] <= rbsp.count - i else { throw movieFail("an SEI message overruns \(here)") }
            i += values[1]
        }
        guard i < rbsp.count else { throw movieFail("\(here) lacks its trailing bits") }
    }
}
