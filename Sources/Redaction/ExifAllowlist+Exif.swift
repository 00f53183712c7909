import CExif

/// libexif's reading of an EXIF block that Tipline itself wrote, used by the verifiers as a
/// reader that shares nothing with ours. It never sees a tipster's original EXIF: the
/// verifiers only call it on scrubber output, whose EXIF comes from `MinimalExifWriter`.
enum ExifAllowlist {
    /// `exif` starts with "Exif\0\0". Returns why the block is not acceptable, or nil.
    static func violation(exif: [UInt8], options: ScrubOptions) -> String? {
        guard let data = exif_data_new() else { return "EXIF reader unavailable" }
        defer { exif_data_unref(data) }
        // Read exactly what is there: no "fixing" (which adds default tags), no hiding of unknown tags.
        exif_data_unset_option(data, EXIF_DATA_OPTION_IGNORE_UNKNOWN_TAGS)
        exif_data_unset_option(data, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION)
        exif.withUnsafeBufferPointer { exif_data_load_data(data, $0.baseAddress, UInt32($0.count)) }
        if data.pointee.size > 0 { return "EXIF thumbnail remains" }
        let ifds = [data.pointee.ifd.0, data.pointee.ifd.1, data.pointee.ifd.2, data.pointee.ifd.3, data.pointee.ifd.4]
        var total = 0
        for (index, content) in ifds.enumerated() {
            guard let content else { continue }
            for i in 0..<Int(content.pointee.count) {
                guard let entry = content.pointee.entries[i] else { continue }
                total += 1
                let tag = UInt32(entry.pointee.tag.rawValue)
                if !allowed(ifd: index, tag: tag, options: options) {
                    return "EXIF tag 0x\(String(tag, radix: 16)) in IFD \(index) is not allowed"
                }
            }
        }
        return total == 0 ? "EXIF block unreadable" : nil
    }

    /// IFD indexes follow libexif's `ExifIfd`: 0, 1 (thumbnail), EXIF, GPS, Interoperability.
    static func allowed(ifd: Int, tag: UInt32, options: ScrubOptions) -> Bool {
        switch ifd {
        case 0: tag == 0x0112
        case 2: options.keepCaptureDate && tag == 0x9003
        case 3: options.keepLocation && allowedGPS(tag: tag, keepCaptureDate: options.keepCaptureDate)
        default: false
        }
    }

    /// The verifier's own GPS list (not the writer's): position, altitude and map datum; GPS
    /// time and date only when the capture date was opted in too; never free text (27, 28)
    /// or anything else.
    static func allowedGPS(tag: UInt32, keepCaptureDate: Bool) -> Bool {
        switch tag {
        case 0x0000...0x0006, 0x0012: true  // version, latitude, longitude, altitude (with refs), map datum
        case 0x0007, 0x001D: keepCaptureDate  // GPSTimeStamp, GPSDateStamp: the capture time in UTC
        default: false
        }
    }
}
