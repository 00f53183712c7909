import TiplinePolicy

/// Writes a fresh single-directory TIFF in the input's byte order:
/// header | IFD0 (sorted entries, next = 0) | out-of-line values | strip/tile data.
/// Values are copied as raw bytes (same byte order, so no re-interpretation), the data offsets
/// are rewritten as LONGs, and every area starts on an even offset with zero padding.
struct TIFFWriter {
    let reader: TIFFDirectoryReader
    let plan: TIFFTagPolicy.Plan
    let limit: Int

    private var bigEndian: Bool { reader.bigEndian }

    func write() throws(RedactionError) -> [UInt8] {
        let entries = plan.kept
        let offsetsLength = 4 * plan.offsets.count
        var valueArea = 8 + 2 + 12 * entries.count + 4
        var valuePositions: [Int] = []
        for entry in entries {
            let length = entry.tag == plan.offsetsTag ? offsetsLength : entry.valueLength ?? 0
            if length > 4 {
                valuePositions.append(valueArea)
                valueArea += length + (length & 1)
            } else {
                valuePositions.append(0)
            }
        }
        var dataPositions: [Int] = []
        var cursor = valueArea
        for count in plan.byteCounts {
            dataPositions.append(cursor)
            cursor += count + (count & 1)
            guard cursor <= limit, cursor <= Int(UInt32.max) else { throw .tooLarge(limit: limit) }
        }

        var out: [UInt8] = bigEndian ? [0x4D, 0x4D, 0, 42] : [0x49, 0x49, 42, 0]
        out.reserveCapacity(cursor)
        append32(8, to: &out)
        append16(entries.count, to: &out)
        for (entry, position) in zip(entries, valuePositions) {
            append16(Int(entry.tag), to: &out)
            if entry.tag == plan.offsetsTag {
                append16(4, to: &out)
                append32(plan.offsets.count, to: &out)
                if plan.offsets.count == 1 { append32(dataPositions[0], to: &out) } else { append32(position, to: &out) }
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
        append32(0, to: &out)
        for (entry, position) in zip(entries, valuePositions) where position != 0 {
            precondition(out.count == position, "TIFF value layout drifted")
            if entry.tag == plan.offsetsTag {
                for p in dataPositions { append32(p, to: &out) }
            } else {
                out.append(contentsOf: reader.rawValue(entry))
            }
            if out.count & 1 == 1 { out.append(0) }
        }
        for (index, offset) in plan.offsets.enumerated() {
            precondition(out.count == dataPositions[index], "TIFF data layout drifted")
            let start = reader.bytes.startIndex + offset
            out.append(contentsOf: reader.bytes[start..<(start + plan.byteCounts[index])])
            if out.count & 1 == 1 { out.append(0) }
        }
        return out
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
