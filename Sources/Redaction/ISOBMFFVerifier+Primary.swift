import TiplinePolicy

/// The HEIF verifier's decodability and thumbnail checks, on its own reading of the tables:
/// no `thmb` reference may remain (a thumbnail is a second copy of the picture), and the
/// primary item must exist, be a picture, carry its size (`ispe`) and have its bytes inside
/// the file. A file failing these would not open anywhere, so it is refused, not stored.
extension ISOBMFFVerifier {
    func checkNoThumbnail(_ iref: (Int, Int)?) throws(RedactionError) {
        guard let (body, end) = iref else { return }
        for (type, _, _) in try children(body + 4, end) where type == "thmb" {
            throw fail("a thumbnail picture remains")
        }
    }

    private func undecodable(_ why: String) -> RedactionError { .undecodable(.heif, reason: why) }

    func checkPrimaryDecodes(_ tables: [String: (Int, Int)]) throws(RedactionError) {
        // A file naming no primary item is left to the structure checks (the hand-made hostile
        // fixtures have none); every camera and phone file names one.
        guard let (pitm, _) = tables["pitm"] else { return }
        let primary = try read(pitm + 4, try read(pitm, 1) == 0 ? 2 : 4)
        guard let (iinf, iinfEnd) = tables["iinf"], try itemType(primary, iinf, iinfEnd) != nil else {
            throw undecodable("the main picture is not in the item list")
        }
        guard let (iprp, iprpEnd) = tables["iprp"], try propertyTypes(of: primary, iprp, iprpEnd).contains("ispe") else {
            throw undecodable("the main picture has no size")
        }
        guard let (iloc, ilocEnd) = tables["iloc"] else { throw undecodable("the main picture has no location") }
        try checkExtentsInside(primary, iloc, ilocEnd, idat: tables["idat"])
    }

    private func itemType(_ id: Int, _ body: Int, _ end: Int) throws(RedactionError) -> String? {
        let wide = try read(body, 1) != 0
        for (type, entry, _) in try children(body + (wide ? 8 : 6), end) where type == "infe" {
            let idLength = try read(entry, 1) == 2 ? 2 : 4
            if try read(entry + 4, idLength) == id { return name(entry + 4 + idLength + 2) }
        }
        return nil
    }

    /// The types of the properties `ipma` associates with item `id`.
    private func propertyTypes(of id: Int, _ body: Int, _ end: Int) throws(RedactionError) -> [String] {
        let boxes = try children(body, end)
        guard let ipco = boxes.first(where: { $0.0 == "ipco" }) else { return [] }
        let properties = try children(ipco.1, ipco.2).map(\.0)
        var found: [String] = []
        for (type, at, boxEnd) in boxes where type == "ipma" {
            let version = try read(at, 1), wide = try read(at + 3, 1) & 1 == 1
            let idLength = version < 1 ? 2 : 4
            var pos = at + 8
            for _ in 0..<(try read(at + 4, 4)) {
                let item = try read(pos, idLength), count = try read(pos + idLength, 1)
                pos += idLength + 1
                for _ in 0..<count {
                    let index = try read(pos, wide ? 2 : 1) & (wide ? 0x7FFF : 0x7F)
                    pos += wide ? 2 : 1
                    if item == id, index >= 1, index <= properties.count { found.append(properties[index - 1]) }
                }
                guard pos <= boxEnd else { throw undecodable("property associations run past their box") }
            }
        }
        return found
    }

    /// Every extent of item `id` lies inside the file (or inside `idat` for construction method 1).
    private func checkExtentsInside(_ id: Int, _ body: Int, _ end: Int, idat: (Int, Int)?) throws(RedactionError) {
        let version = try read(body, 1)
        let a = try read(body + 4, 1), b = try read(body + 5, 1)
        let (offsetLength, lengthLength, baseLength, indexLength) = (a >> 4, a & 15, b >> 4, version > 0 ? b & 15 : 0)
        let idLength = version == 2 ? 4 : 2
        var at = body + 6 + idLength
        var found = false
        for _ in 0..<(try read(body + 6, idLength)) {
            let item = try read(at, idLength)
            at += idLength
            var method = 0
            if version > 0 { method = try read(at, 2) & 15; at += 2 }
            let base = try read(at + 2, baseLength)
            at += 2 + baseLength
            let extents = try read(at, 2)
            at += 2
            guard at <= end else { throw undecodable("item locations run past their box") }
            for _ in 0..<extents {
                let offset = try read(at + indexLength, offsetLength)
                let length = try read(at + indexLength + offsetLength, lengthLength)
                at += indexLength + offsetLength + lengthLength
                guard item == id, method != 2 else { continue }
                let area = method == 1 ? (idat ?? (0, 0)) : (0, data.count)
                let (start, overflow) = base.addingReportingOverflow(offset)
                guard !overflow, start <= area.1 - area.0, length <= area.1 - area.0 - start else {
                    throw undecodable("the main picture's data lies outside the file")
                }
            }
            if item == id { found = true }
        }
        guard found else { throw undecodable("the main picture has no location") }
    }
}
