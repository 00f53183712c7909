import TiplinePolicy

/// An item declared by an `infe` box (versions 2 and 3 only, the ones HEIF/AVIF use).
struct ISOBMFFItemInfo: Sendable {
    var id: Int
    var type: UInt32
    var contentType: String
    /// The whole `infe` box, rewritten in place when the item is neutralised.
    var box: ISOBMFFBox
    /// Where the 4-byte item_type sits.
    var typeOffset: Int
}

/// Where an item's bytes are, from `iloc`.
struct ISOBMFFItemLocation: Sendable {
    var id: Int
    var constructionMethod: Int
    var dataReferenceIndex: Int
    /// (offset, length) as declared, base offset already added; length 0 means "to the end".
    var extents: [(offset: Int, length: Int)]
    /// The entry's own bytes inside `iloc`, so a rebuilt `iloc` can copy it unchanged.
    var entry: Range<Int> = 0..<0
}

extension ISOBMFFBytes {
    /// Parses `iinf` and its `infe` children.
    func itemInfos(_ iinf: ISOBMFFBox) throws(RedactionError) -> [ISOBMFFItemInfo] {
        let version = try u8(iinf.payload)
        let countWidth = version == 0 ? 2 : 4
        let declared = try be(iinf.payload + 4, countWidth)
        let children = try boxes(from: iinf.payload + 4 + countWidth, to: iinf.end)
        var items: [ISOBMFFItemInfo] = []
        for box in children where box.type == ISOBMFFBox.code("infe") {
            let v = try u8(box.payload)
            guard v == 2 || v == 3 else {
                throw .unsupportedLayout(.heif, reason: "item info entry version \(v)")
            }
            let idWidth = v == 2 ? 2 : 4
            let id = try be(box.payload + 4, idWidth)
            let typeOffset = box.payload + 4 + idWidth + 2
            let type = UInt32(try be(typeOffset, 4))
            guard typeOffset + 4 <= box.end else { throw .malformed(.heif, offset: box.start, reason: "item info entry too short") }
            var contentType = ""
            if type == ISOBMFFBox.code("mime") {
                let nameEnd = cString(from: typeOffset + 4, to: box.end)
                let typeEnd = cString(from: nameEnd + 1, to: box.end)
                if nameEnd + 1 < typeEnd {
                    contentType = String(decoding: bytes[(nameEnd + 1)..<typeEnd], as: UTF8.self)
                }
            }
            items.append(ISOBMFFItemInfo(id: id, type: type, contentType: contentType, box: box, typeOffset: typeOffset))
        }
        guard items.count == declared else {
            throw .malformed(.heif, offset: iinf.start, reason: "item count disagrees with the entries")
        }
        return items
    }

    /// Index of the NUL ending the string starting at `from` (or `to` when unterminated).
    private func cString(from: Int, to: Int) -> Int {
        var i = from
        while i < to, bytes[i] != 0 { i += 1 }
        return min(i, to)
    }

    /// Parses `iloc` versions 0, 1 and 2.
    func itemLocations(_ iloc: ISOBMFFBox) throws(RedactionError) -> [ISOBMFFItemLocation] {
        let version = try u8(iloc.payload)
        guard version <= 2 else { throw .unsupportedLayout(.heif, reason: "item location version \(version)") }
        var pos = iloc.payload + 4
        let sizes = try u8(pos), more = try u8(pos + 1)
        let offsetSize = sizes >> 4, lengthSize = sizes & 15, baseSize = more >> 4
        let indexSize = version == 0 ? 0 : more & 15
        for s in [offsetSize, lengthSize, baseSize, indexSize] where ![0, 4, 8].contains(s) {
            throw .malformed(.heif, offset: pos, reason: "item location field size \(s)")
        }
        pos += 2
        let countWidth = version < 2 ? 2 : 4
        let count = try be(pos, countWidth)
        pos += countWidth
        var found: [ISOBMFFItemLocation] = []
        found.reserveCapacity(min(count, 65_536))
        for _ in 0..<count {
            guard pos < iloc.end else { throw .malformed(.heif, offset: pos, reason: "item locations run past their box") }
            let entryStart = pos
            let id = try be(pos, countWidth)
            pos += countWidth
            var method = 0
            if version >= 1 {
                method = try be(pos, 2) & 15
                pos += 2
            }
            let reference = try be(pos, 2)
            pos += 2
            let base = try field(&pos, baseSize)
            let extentCount = try be(pos, 2)
            pos += 2
            var extents: [(offset: Int, length: Int)] = []
            for _ in 0..<extentCount {
                _ = try field(&pos, indexSize)
                let offset = try field(&pos, offsetSize), length = try field(&pos, lengthSize)
                let (start, overflow) = base.addingReportingOverflow(offset)
                guard !overflow, pos <= iloc.end else { throw .malformed(.heif, offset: pos, reason: "item extent overflows") }
                extents.append((start, length))
            }
            found.append(
                ISOBMFFItemLocation(
                    id: id, constructionMethod: method, dataReferenceIndex: reference, extents: extents, entry: entryStart..<pos))
        }
        guard pos <= iloc.end else { throw .malformed(.heif, offset: iloc.start, reason: "item locations run past their box") }
        return found
    }

    private func field(_ pos: inout Int, _ width: Int) throws(RedactionError) -> Int {
        guard width > 0 else { return 0 }
        let value = try be(pos, width)
        pos += width
        return value
    }
}
