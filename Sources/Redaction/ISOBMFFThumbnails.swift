import TiplinePolicy

/// One typed reference from `iref` (`thmb`, `auxl`, `dimg`, `cdsc`, …): `from` refers to `to`.
struct ISOBMFFReference: Sendable {
    var type: UInt32
    var from: Int
    var to: [Int]
    var box: ISOBMFFBox
}

/// Thumbnail items (`thmb` references, as iPhones and Sony cameras write them) are a second,
/// smaller copy of the picture: they may show what a crop removed, and a tipster who edits the
/// picture does not see them. They are dropped whole: their bytes are zeroed, and `iinf`,
/// `iloc`, `iref` and `ipma` are rewritten without them. The rewritten `meta` is padded with a
/// zero-filled `free` box to its old size, so nothing outside it moves and every absolute
/// offset in `iloc` stays valid.
extension ISOBMFFNeutraliser {
    /// The items to drop: every `thmb` source, the tiles of a thumbnail grid, and the auxiliary
    /// images (alpha, depth) of those. A thumbnail that is also the primary item or a tile of a
    /// kept picture is refused.
    static func thumbnailItems(_ refs: [ISOBMFFReference], primary: Int?) throws(RedactionError) -> Set<Int> {
        var dropped = Set(refs.filter { $0.type == ISOBMFFBox.code("thmb") }.map(\.from))
        for ref in refs where ref.type == ISOBMFFBox.code("dimg") && dropped.contains(ref.from) {
            dropped.formUnion(ref.to)
        }
        for ref in refs where ref.type == ISOBMFFBox.code("auxl") && ref.to.allSatisfy(dropped.contains) {
            dropped.insert(ref.from)
        }
        if let primary, dropped.contains(primary) {
            throw .unsupportedLayout(.heif, reason: "the primary picture is marked as a thumbnail")
        }
        for ref in refs where ref.type == ISOBMFFBox.code("dimg") && !dropped.contains(ref.from) {
            if ref.to.contains(where: dropped.contains) {
                throw .unsupportedLayout(.heif, reason: "a thumbnail is also part of the picture")
            }
        }
        return dropped
    }

    /// Rebuilds the picture `meta` box without the `dropped` items, at its original size.
    /// Runs after `apply()`, so the dropped items' bytes are already zero.
    mutating func dropItems(_ dropped: Set<Int>, meta: ISOBMFFBox) throws(RedactionError) {
        guard !dropped.isEmpty else { return }
        var body = Array(file.bytes[meta.start..<(meta.payload + 4)])  // header, version, flags
        for child in try file.boxes(from: meta.payload + 4, to: meta.end) {
            switch child.type {
            case ISOBMFFBox.code("iinf"): body += try rebuiltItemInfo(child, without: dropped)
            case ISOBMFFBox.code("iloc"): body += try rebuiltLocations(child, without: dropped)
            case ISOBMFFBox.code("iref"): body += try rebuiltReferences(child, without: dropped)
            case ISOBMFFBox.code("iprp"):
                var properties: [UInt8] = []
                for part in try file.boxes(from: child.payload, to: child.end) {
                    properties += part.type == ISOBMFFBox.code("ipma") ? try rebuiltAssociations(part, without: dropped) : raw(part)
                }
                body += Self.box("iprp", properties)
            default: body += raw(child)
            }
        }
        let spare = meta.end - meta.start - body.count
        guard spare >= 8 else { throw .unsupportedLayout(.heif, reason: "no room to rewrite the item tables") }
        body += Self.box("free", [UInt8](repeating: 0, count: spare - 8))
        file.bytes.replaceSubrange(meta.start..<meta.end, with: body)
        summary.removed.insert(.thumbnail)
    }

    private func raw(_ box: ISOBMFFBox) -> [UInt8] { Array(file.bytes[box.start..<box.end]) }

    static func box(_ type: String, _ payload: [UInt8]) -> [UInt8] { box(ISOBMFFBox.code(type), payload) }

    static func box(_ type: UInt32, _ payload: [UInt8]) -> [UInt8] {
        bigEndian(8 + payload.count, 4) + bigEndian(Int(type), 4) + payload
    }

    static func bigEndian(_ value: Int, _ width: Int) -> [UInt8] {
        (0..<width).map { UInt8(truncatingIfNeeded: value >> (8 * (width - 1 - $0))) }
    }

    private func rebuiltItemInfo(_ iinf: ISOBMFFBox, without dropped: Set<Int>) throws(RedactionError) -> [UInt8] {
        let kept = try file.itemInfos(iinf).filter { !dropped.contains($0.id) }
        let width = try file.u8(iinf.payload) == 0 ? 2 : 4
        return Self.box(
            "iinf", Array(file.bytes[iinf.payload..<(iinf.payload + 4)]) + Self.bigEndian(kept.count, width) + kept.flatMap { raw($0.box) })
    }

    private func rebuiltLocations(_ iloc: ISOBMFFBox, without dropped: Set<Int>) throws(RedactionError) -> [UInt8] {
        let kept = try file.itemLocations(iloc).filter { !dropped.contains($0.id) }
        let width = try file.u8(iloc.payload) < 2 ? 2 : 4
        var payload = Array(file.bytes[iloc.payload..<(iloc.payload + 6)]) + Self.bigEndian(kept.count, width)
        for location in kept { payload += file.bytes[location.entry] }
        return Self.box("iloc", payload)
    }

    private func rebuiltReferences(_ iref: ISOBMFFBox, without dropped: Set<Int>) throws(RedactionError) -> [UInt8] {
        let width = try file.u8(iref.payload) == 0 ? 2 : 4
        var payload = Array(file.bytes[iref.payload..<(iref.payload + 4)])
        for ref in try file.itemReferences(iref) where !dropped.contains(ref.from) {
            let to = ref.to.filter { !dropped.contains($0) }
            guard !to.isEmpty else { continue }
            let ids = Self.bigEndian(ref.from, width) + Self.bigEndian(to.count, 2) + to.flatMap { Self.bigEndian($0, width) }
            payload += Self.box(ref.type, ids)
        }
        return Self.box("iref", payload)
    }

    /// `ipma`: version 0 has 16-bit item ids, flag bit 0 makes each association 16 bits wide.
    private func rebuiltAssociations(_ ipma: ISOBMFFBox, without dropped: Set<Int>) throws(RedactionError) -> [UInt8] {
        let version = try file.u8(ipma.payload), wide = try file.u8(ipma.payload + 3) & 1 == 1
        let idWidth = version < 1 ? 2 : 4, associationWidth = wide ? 2 : 1
        var pos = ipma.payload + 8
        var kept: [UInt8] = []
        var count = 0
        for _ in 0..<(try file.be(ipma.payload + 4, 4)) {
            let start = pos
            let id = try file.be(pos, idWidth)
            let associations = try file.u8(pos + idWidth)
            pos += idWidth + 1 + associations * associationWidth
            guard pos <= ipma.end else { throw .malformed(.heif, offset: start, reason: "property associations run past their box") }
            if dropped.contains(id) { continue }
            kept += file.bytes[start..<pos]
            count += 1
        }
        return Self.box("ipma", Array(file.bytes[ipma.payload..<(ipma.payload + 4)]) + Self.bigEndian(count, 4) + kept)
    }
}

extension ISOBMFFBytes {
    /// Parses `iref` (version 0: 16-bit item ids, version 1: 32-bit).
    func itemReferences(_ iref: ISOBMFFBox) throws(RedactionError) -> [ISOBMFFReference] {
        let width = try u8(iref.payload) == 0 ? 2 : 4
        var found: [ISOBMFFReference] = []
        for box in try boxes(from: iref.payload + 4, to: iref.end) {
            let from = try be(box.payload, width), count = try be(box.payload + width, 2)
            guard box.payload + width + 2 + count * width <= box.end else {
                throw .malformed(.heif, offset: box.start, reason: "item reference runs past its box")
            }
            let to = try (0..<count).map { k throws(RedactionError) in try be(box.payload + width + 2 + k * width, width) }
            found.append(ISOBMFFReference(type: box.type, from: from, to: to, box: box))
        }
        return found
    }
}
