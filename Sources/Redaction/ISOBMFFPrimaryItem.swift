import TiplinePolicy

/// The scrubber's own check that the picture it hands on still opens: the primary item (`pitm`)
/// is listed, is a picture, has a location, and `ipma` gives it a size (`ispe`). Written apart
/// from the verifier's check (`ISOBMFFVerifier+Primary`) on the scrubber's own table readers,
/// so one parsing bug cannot pass both. Without it a damaged file scrubs "clean" and only the
/// verifier stops it; with it the tipster hears the file does not open, which is the truth.
extension ISOBMFFNeutraliser {
    func checkPrimaryItem(
        _ primary: Int, infos: [ISOBMFFItemInfo], locations: [ISOBMFFItemLocation], properties iprp: ISOBMFFBox?
    ) throws(RedactionError) {
        func undecodable(_ why: String) -> RedactionError { .undecodable(.heif, reason: why) }
        guard let info = infos.first(where: { $0.id == primary }), Self.imageItemTypes.contains(info.type) else {
            throw undecodable("the main picture is not in the item list")
        }
        guard locations.contains(where: { $0.id == primary }) else { throw undecodable("the main picture has no location") }
        guard let iprp, try associatedProperties(of: primary, iprp).contains(ISOBMFFBox.code("ispe")) else {
            throw undecodable("the main picture has no size")
        }
    }

    /// The types of the `ipco` properties every `ipma` box associates with `item`.
    private func associatedProperties(of item: Int, _ iprp: ISOBMFFBox) throws(RedactionError) -> [UInt32] {
        let children = try file.boxes(from: iprp.payload, to: iprp.end)
        guard let ipco = children.first(where: { $0.type == ISOBMFFBox.code("ipco") }) else { return [] }
        let properties = try file.boxes(from: ipco.payload, to: ipco.end).map(\.type)
        var found: [UInt32] = []
        for ipma in children where ipma.type == ISOBMFFBox.code("ipma") {
            let version = try file.u8(ipma.payload)
            let wideIndex = try file.u8(ipma.payload + 3) & 1 == 1
            let idWidth = version < 1 ? 2 : 4, indexWidth = wideIndex ? 2 : 1
            var pos = ipma.payload + 8
            for _ in 0..<(try file.be(ipma.payload + 4, 4)) {
                guard pos < ipma.end else { throw .malformed(.heif, offset: pos, reason: "property associations run past their box") }
                let id = try file.be(pos, idWidth), count = try file.u8(pos + idWidth)
                pos += idWidth + 1
                guard pos + count * indexWidth <= ipma.end else {
                    throw .malformed(.heif, offset: pos, reason: "property associations run past their box")
                }
                for k in 0..<count where id == item {
                    let index = try file.be(pos + k * indexWidth, indexWidth) & (wideIndex ? 0x7FFF : 0x7F)
                    if index >= 1, index <= properties.count { found.append(properties[index - 1]) }
                }
                pos += count * indexWidth
            }
        }
        return found
    }
}
