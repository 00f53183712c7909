import TiplinePolicy

/// The picture `meta` box: decides per item and per property what stays, and applies the plan.
extension ISOBMFFNeutraliser {
    static let keptMetaChildren: Set<UInt32> = Set(
        ["hdlr", "pitm", "iloc", "iinf", "iref", "iprp", "idat", "dinf", "grpl"].map(ISOBMFFBox.code))

    mutating func scanPictureMeta(_ meta: ISOBMFFBox) throws(RedactionError) {
        let children = try file.boxes(from: meta.payload + 4, to: meta.end)
        func only(_ name: String) throws(RedactionError) -> ISOBMFFBox? {
            let found = children.filter { $0.type == ISOBMFFBox.code(name) }
            guard found.count <= 1 else { throw .malformed(.heif, offset: found[1].start, reason: "more than one \(name) box") }
            return found.first
        }
        guard let iinf = try only("iinf") else { throw .malformed(.heif, offset: meta.start, reason: "no item information box") }
        let iloc = try only("iloc"), idat = try only("idat")
        if let idat { containers.append(idat.payload..<idat.end) }
        for child in children where !Self.keptMetaChildren.contains(child.type) {
            if child.type == ISOBMFFBox.code("free") || child.type == ISOBMFFBox.code("skip") {
                zeroed.append(child.payload..<child.end)
            } else {
                free(child, because: [.other])
            }
        }
        let iprp = try only("iprp")
        if let iprp { try scanProperties(iprp) }

        let infos = try file.itemInfos(iinf)
        let locations = try iloc.map { box throws(RedactionError) in try file.itemLocations(box) } ?? []
        let references = try only("iref").map { box throws(RedactionError) in try file.itemReferences(box) } ?? []
        let primary = try only("pitm").map { box throws(RedactionError) in try file.be(box.payload + 4, try file.u8(box.payload) == 0 ? 2 : 4) }
        if let primary { try checkPrimaryItem(primary, infos: infos, locations: locations, properties: iprp) }
        droppedItems = try Self.thumbnailItems(references, primary: primary)
        if !droppedItems.isEmpty { pictureMeta = meta }
        for info in infos {
            let location = locations.first { $0.id == info.id }
            if droppedItems.contains(info.id) {
                // A thumbnail's bytes are zeroed like metadata's; its entries go in `dropItems`.
                metadataRanges += try location.map { l throws(RedactionError) in try ranges(l, idat: idat, metadata: true) } ?? []
                continue
            }
            if Self.imageItemTypes.contains(info.type) {
                if let location { keptRanges += try ranges(location, idat: idat, metadata: false) }
                continue
            }
            if info.type == ISOBMFFBox.code("free") {
                // An item a scrub already hid (ours included): it stays hidden and zeroed, and
                // says nothing, so scrubbing a clean file again changes nothing.
                metadataRanges += try location.map { l throws(RedactionError) in try ranges(l, idat: idat, metadata: true) } ?? []
                hiddenItems.append(info)
                continue
            }
            let metadataTypes = ["Exif", "mime", "uri "].map(ISOBMFFBox.code)
            guard metadataTypes.contains(info.type) else {
                throw .unsupportedLayout(.heif, reason: "item type \(Self.printable(info.type))")
            }
            let extents = try location.map { l throws(RedactionError) in try ranges(l, idat: idat, metadata: true) } ?? []
            metadataRanges += extents
            hiddenItems.append(info)
            summary.removed.formUnion(categories(info, extents))
        }
        // Without `iloc` no one can show that a hidden item's bytes were zeroed.
        if !hiddenItems.isEmpty && iloc == nil {
            throw .malformed(.heif, offset: meta.start, reason: "metadata items but no item location box")
        }
    }

    func categories(_ info: ISOBMFFItemInfo, _ extents: [Range<Int>]) -> Set<MetadataCategory> {
        let data = extents.reduce(into: [UInt8]()) { $0 += file.bytes[$1] }
        if info.type == ISOBMFFBox.code("Exif") {
            guard data.count >= 4 else { return [.other] }
            let skip = Int(data[0]) << 24 | Int(data[1]) << 16 | Int(data[2]) << 8 | Int(data[3])
            guard skip <= data.count - 4 else { return [.other] }
            return TIFFMetadataClassifier.exifCategories(data[(4 + skip)...])
        }
        return info.contentType.contains("xml") ? TIFFMetadataClassifier.xmpCategories(data[...]) : [.other]
    }

    static func printable(_ type: UInt32) -> String {
        let scalars = [24, 16, 8, 0].map { UInt8(type >> UInt32($0) & 0xFF) }
        return scalars.allSatisfy { (0x20..<0x7F).contains($0) } ? "'\(String(decoding: scalars, as: UTF8.self))'" : "(binary)"
    }

    /// The file ranges an item occupies. Metadata must be plain bytes in this file.
    func ranges(_ location: ISOBMFFItemLocation, idat: ISOBMFFBox?, metadata: Bool) throws(RedactionError) -> [Range<Int>] {
        guard location.dataReferenceIndex == 0 else {
            throw .unsupportedLayout(.heif, reason: "item data stored in another file")
        }
        let area: Range<Int>
        switch location.constructionMethod {
        case 0: area = 0..<file.bytes.count
        case 1:
            guard let idat else { throw .malformed(.heif, offset: 0, reason: "item stored in a missing idat box") }
            area = idat.payload..<idat.end
        default:
            if metadata { throw .unsupportedLayout(.heif, reason: "metadata item built from other items") }
            return []
        }
        return try location.extents.map { extent throws(RedactionError) in
            guard extent.offset <= area.count else { throw .malformed(.heif, offset: area.lowerBound, reason: "item extent beyond its data") }
            let start = area.lowerBound + extent.offset
            let length = extent.length == 0 ? area.upperBound - start : extent.length
            guard length <= area.upperBound - start else {
                throw .malformed(.heif, offset: start, reason: "item extent beyond its data")
            }
            return start..<(start + length)
        }
    }

    /// Item properties stay (they decode and orient the picture) except an ICC `colr` the
    /// policy drops and `udes` user descriptions.
    mutating func scanProperties(_ iprp: ISOBMFFBox) throws(RedactionError) {
        for child in try file.boxes(from: iprp.payload, to: iprp.end) where child.type == ISOBMFFBox.code("ipco") {
            for property in try file.boxes(from: child.payload, to: child.end) {
                switch property.type {
                case ISOBMFFBox.code("irot"), ISOBMFFBox.code("imir"):
                    summary.kept.insert(.orientation)
                case ISOBMFFBox.code("colr"):
                    let kind = try file.be(property.payload, 4)
                    guard kind == ISOBMFFBox.code("prof") || kind == ISOBMFFBox.code("rICC") else { continue }
                    let profile = file.bytes[min(property.payload + 4, property.end)..<property.end]
                    if !options.keepICCProfile {
                        freed.append(property)
                    } else if !ICCProfileClassifier.isStandard(profile) {
                        free(property, because: [.device])
                    } else {
                        summary.kept.insert(.colorProfile)
                    }
                case ISOBMFFBox.code("udes"):
                    free(property, because: [.comment])
                default: continue
                }
            }
        }
    }

    /// Checks the plan, then zeroes and renames.
    mutating func apply() throws(RedactionError) {
        for range in metadataRanges where !containers.contains(where: { $0.contains(range.lowerBound) && range.upperBound <= $0.upperBound }) {
            throw .unsupportedLayout(.heif, reason: "metadata item stored outside the media data")
        }
        let wiped = metadataRanges + zeroed + freed.map { $0.payload..<$0.end }
        for range in wiped where !range.isEmpty {
            if keptRanges.contains(where: { $0.overlaps(range) }) {
                throw .unsupportedLayout(.heif, reason: "metadata shares bytes with the picture")
            }
        }
        for range in metadataRanges + zeroed { file.zero(range) }
        for box in freed { file.neutralise(box) }
        for info in hiddenItems {
            file.bytes[info.box.payload + 3] |= 1  // infe flags: hidden
            file.bytes.replaceSubrange(info.typeOffset..<(info.typeOffset + 4), with: [0x66, 0x72, 0x65, 0x65])
            file.zero((info.typeOffset + 4)..<info.box.end)  // name, content type
        }
    }
}
