import TiplinePolicy

/// Writes a fresh TIFF in the input's byte order, one directory per kept page, chained in the
/// input's page order:
/// header | per page: IFD (sorted entries, next = the following page's IFD or 0) | its
/// out-of-line values | its strip/tile data.
/// Values are copied as raw bytes (same byte order, so no re-interpretation), the data offsets
/// are rewritten as LONGs, and every area starts on an even offset with zero padding.
struct TIFFWriter {
    let reader: TIFFDirectoryReader
    let pages: [TIFFTagPolicy.Plan]
    let limit: Int

    private var bigEndian: Bool { reader.bigEndian }

    /// Where one page's directory, values and data go.
    private struct Layout {
        var directory: Int
        var values: [Int]
        var data: [Int]
        var end: Int
    }

    /// `reserve` is told the exact output size before it is allocated (the held-bytes claim).
    func write(reserve: (Int) throws(RedactionError) -> Void = { _ in }) throws(RedactionError) -> [UInt8] {
        var layouts: [Layout] = []
        var cursor = 8
        for plan in pages {
            let layout = try Self.layout(plan, at: cursor, limit: limit)
            layouts.append(layout)
            cursor = layout.end
        }
        try reserve(cursor)
        var out: [UInt8] = bigEndian ? [0x4D, 0x4D, 0, 42] : [0x49, 0x49, 42, 0]
        out.reserveCapacity(cursor)
        append32(8, to: &out)
        for (index, (plan, layout)) in zip(pages, layouts).enumerated() {
            let next = index + 1 < layouts.count ? layouts[index + 1].directory : 0
            writePage(plan, layout, next: next, to: &out)
        }
        precondition(out.count == cursor, "TIFF layout drifted")
        return out
    }

    private static func layout(_ plan: TIFFTagPolicy.Plan, at start: Int, limit: Int) throws(RedactionError) -> Layout {
        var valueArea = start + 2 + 12 * plan.kept.count + 4
        var values: [Int] = []
        for entry in plan.kept {
            let length = entry.tag == plan.offsetsTag ? 4 * plan.offsets.count : entry.valueLength ?? 0
            if length > 4 {
                values.append(valueArea)
                valueArea += length + (length & 1)
            } else {
                values.append(0)
            }
        }
        var data: [Int] = []
        var cursor = valueArea
        for count in plan.byteCounts {
            data.append(cursor)
            cursor += count + (count & 1)
            guard cursor <= limit, cursor <= Int(UInt32.max) else { throw .tooLarge(limit: limit) }
        }
        return Layout(directory: start, values: values, data: data, end: cursor)
    }

    private func writePage(_ plan: TIFFTagPolicy.Plan, _ layout: Layout, next: Int, to out: inout [UInt8]) {
        precondition(out.count == layout.directory, "TIFF directory layout drifted")
        append16(plan.kept.count, to: &out)
        for (entry, position) in zip(plan.kept, layout.values) {
            append16(Int(entry.tag), to: &out)
            if entry.tag == plan.offsetsTag {
                append16(4, to: &out)
                append32(plan.offsets.count, to: &out)
                append32(plan.offsets.count == 1 ? layout.data[0] : position, to: &out)
                continue
            }
            append16(Int(entry.type), to: &out)
            append32(entry.count, to: &out)
            let raw = reader.rawValue(entry)
            if raw.count > 4 {
                append32(position, to: &out)
            } else {
                out.append(contentsOf: raw)
                out.append(contentsOf: repeatElement(0, count: 4 - raw.count))
            }
        }
        append32(next, to: &out)
        for (entry, position) in zip(plan.kept, layout.values) where position != 0 {
            precondition(out.count == position, "TIFF value layout drifted")
            if entry.tag == plan.offsetsTag {
                for p in layout.data { append32(p, to: &out) }
            } else {
                out.append(contentsOf: reader.rawValue(entry))
            }
            if out.count & 1 == 1 { out.append(0) }
        }
        for (index, offset) in plan.offsets.enumerated() {
            precondition(out.count == layout.data[index], "TIFF data layout drifted")
            let start = reader.bytes.startIndex + offset
            out.append(contentsOf: reader.bytes[start..<(start + plan.byteCounts[index])])
            if out.count & 1 == 1 { out.append(0) }
        }
    }

    private func append16(_ value: Int, to out: inout [UInt8]) {
        let v = UInt16(truncatingIfNeeded: value)
        out.append(contentsOf: bigEndian ? [UInt8(v >> 8), UInt8(v & 0xFF)] : [UInt8(v & 0xFF), UInt8(v >> 8)])
    }

    private func append32(_ value: Int, to out: inout [UInt8]) {
        let v = UInt32(truncatingIfNeeded: value)
        let bytes = [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
        out.append(contentsOf: bigEndian ? bytes : bytes.reversed())
    }
}
