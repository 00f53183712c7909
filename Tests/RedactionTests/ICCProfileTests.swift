import Foundation
import Testing
import TiplinePolicy

@testable import TiplineRedaction

/// Issue 10, item 1: a colour profile stays only when it is a standard colour space by content;
/// a display's own profile (make, model, serial, calibration date) is dropped and reported as
/// `device` in JPEG, PNG and GIF as in WebP, HEIF and TIFF, and every verifier refuses it.
@Suite struct ICCProfileTests {
    static let serial = Array(ICCFixture.serial.utf8)
    static let mmod = Array("mmod".utf8)

    @Test func realStandardProfilesAreStandardAndDisplayProfilesAreNot() throws {
        guard let srgb = try ICCFixture.corpus("jpg/Canon_40D.jpg"), let p3 = try ICCFixture.corpus("heic/IMG_5195.HEIC"),
            let lcd = try ICCFixture.corpus("tiff/BSG1.tiff")
        else { return }
        #expect(srgb.count == 3144 && p3.count == 548 && lcd.count == 3940)
        for standard in [srgb, p3, ICCFixture.standard(), ICCFixture.standard(large: true)] {
            #expect(ICCProfileClassifier.isStandard(standard[...]))
            #expect(ICCOutputCheck.violation(standard) == nil)
        }
        for device in [lcd, ICCFixture.display(), ICCFixture.display(large: true)] {
            #expect(!ICCProfileClassifier.isStandard(device[...]))
            #expect(ICCOutputCheck.violation(device) != nil)
        }
        #expect(ICCOutputCheck.violation(lcd) == "identifies a specific display")
    }

    @Test func aStandardNameDoesNotRescueHiddenOwnerText() {
        // The sRGB texts, but owner text tucked into the padding after the description.
        var p = ICCFixture.standard()
        let descAt = (136..<140).reduce(0) { $0 << 8 | Int(p[$1]) }  // the first tag's offset
        p.replaceSubrange((descAt + 60)..<(descAt + 70), with: Array("Jane Owner".utf8))
        #expect(!ICCProfileClassifier.isStandard(p[...]))
        #expect(ICCOutputCheck.violation(p) != nil)
        // Unknown description text.
        let named = ICCFixture.profile([("desc", ICCFixture.desc("Jane's MacBook")), ("wtpt", ICCFixture.xyz(1, 2, 3))])
        #expect(!ICCProfileClassifier.isStandard(named[...]))
        #expect(ICCOutputCheck.violation(named) == "names something other than a standard colour space (desc)")
    }

    @Test func jpegMultiSegmentDisplayProfileIsDroppedWhole() throws {
        let scratch = try Scratch()
        let input = try ICCFixture.embedded(ICCFixture.display(large: true), ext: "jpg", in: scratch)
        #expect(ICCFixture.display(large: true).count > 65519)
        #expect(input.indices.filter { input[$0] == 0xFF && $0 + 1 < input.count && input[$0 + 1] == 0xE2 }.count >= 2)
        #expect(ICCFixture.contains(input, Self.serial))
        let (output, report, tags) = try scrubAndCheck(input, name: "display.jpg", in: scratch)
        #expect(!ICCFixture.contains(output, Self.serial) && !ICCFixture.contains(output, Self.mmod))
        #expect(!ICCFixture.contains(output, Array("ICC_PROFILE".utf8)))
        #expect(report.removed.contains(.device) && !report.kept.contains(.colorProfile))
        #expect(tags.keys.filter { $0.hasPrefix("ICC") } == [])
    }

    @Test func jpegStandardProfilesAreKeptByteForByteEvenInSeveralParts() throws {
        let scratch = try Scratch()
        var profiles = [ICCFixture.standard(large: true)]
        if let srgb = try ICCFixture.corpus("jpg/Canon_40D.jpg") { profiles.append(srgb) }
        for profile in profiles {
            let input = try ICCFixture.embedded(profile, ext: "jpg", in: scratch)
            let (output, report, tags) = try scrubAndCheck(input, name: "std.jpg", in: scratch)
            #expect(report.kept.contains(.colorProfile) && !report.removed.contains(.device))
            let path = try scratch.write("std-out.jpg", output)
            #expect([UInt8](try Tools.run("exiftool", ["-b", "-ICC_Profile", path])) == profile)
            #expect(tags["ICC-header:ProfileFileSignature"] == "acsp")
        }
    }

    @Test func jpegIncompleteProfileSequenceIsDropped() throws {
        let scratch = try Scratch()
        let profile = ICCFixture.standard(large: true)
        let part1 = JPEGFixture.segment(0xE2, Array("ICC_PROFILE\0".utf8) + [1, 2] + profile.prefix(60_000))
        let input = JPEGFixture.assemble(try JPEGFixture.base(in: scratch), header: [part1])
        let (output, report, _) = try scrubAndCheck(input, name: "part.jpg", in: scratch)
        #expect(!ICCFixture.contains(output, Array("ICC_PROFILE".utf8)))
        #expect(report.removed.contains(.device))
    }

    @Test func pngDisplayProfileIsDroppedAndStandardKept() throws {
        let scratch = try Scratch()
        let input = try ICCFixture.embedded(ICCFixture.display(), ext: "png", in: scratch)
        #expect(PNGFixture.chunks(input).map(\.type).contains("iCCP"))
        let (output, report, tags) = try scrubAndCheck(input, name: "display.png", in: scratch)
        #expect(!PNGFixture.chunks(output).map(\.type).contains("iCCP"))
        #expect(report.removed.contains(.device) && !report.kept.contains(.colorProfile))
        #expect(tags.keys.filter { $0.hasPrefix("ICC") } == [])

        guard let p3 = try ICCFixture.corpus("heic/IMG_5195.HEIC") else { return }
        let standard = try ICCFixture.embedded(p3, ext: "png", in: scratch)
        let kept = try scrubAndCheck(standard, name: "p3.png", in: scratch)
        let before = PNGFixture.chunks(standard).first { $0.type == "iCCP" }!.data
        #expect(PNGFixture.chunks(kept.output).first { $0.type == "iCCP" }?.data == before)
        #expect(kept.report.kept.contains(.colorProfile))
    }

    @Test func gifDisplayProfileIsDroppedAndStandardKept() throws {
        let scratch = try Scratch()
        let input = try ICCFixture.embedded(ICCFixture.display(), ext: "gif", in: scratch)
        #expect(ICCFixture.contains(input, Array("ICCRGBG1012".utf8)) && ICCFixture.contains(input, Self.serial))
        let (output, report, tags) = try scrubAndCheck(input, name: "display.gif", in: scratch)
        #expect(!ICCFixture.contains(output, Self.serial) && !ICCFixture.contains(output, Array("ICCRGBG1012".utf8)))
        #expect(report.removed.contains(.device))
        #expect(tags.keys.filter { $0.hasPrefix("ICC") } == [])

        let profile = ICCFixture.standard()
        let standard = try ICCFixture.embedded(profile, ext: "gif", in: scratch)
        let kept = try scrubAndCheck(standard, name: "std.gif", in: scratch)
        #expect(kept.report.kept.contains(.colorProfile))
        let path = try scratch.write("std-out.gif", kept.output)
        #expect([UInt8](try Tools.run("exiftool", ["-b", "-ICC_Profile", path])) == profile)
    }

    /// Outputs made by hand that still carry the display profile: each verifier refuses them.
    @Test func verifiersRefuseADisplayProfile() throws {
        let scratch = try Scratch()
        let profile = ICCFixture.display()
        let jpeg = try ICCFixture.embedded(profile, ext: "jpg", in: scratch)
        let png = try ICCFixture.embedded(profile, ext: "png", in: scratch)
        var gif = try GIFFixture.base(in: scratch)
        let at = GIFFixture.afterGlobalTable(gif)
        gif.insert(contentsOf: [0x21, 0xFF, 11] + Array("ICCRGBG1012".utf8) + GIFFixture.subBlocks(profile), at: at)
        func reason(_ body: () throws(RedactionError) -> Void) -> String? {
            do throws(RedactionError) {
                try body()
                return nil
            } catch {
                if case .verificationFailed(_, let why) = error { return why }
                return "\(error)"
            }
        }
        let display = "kept colour profile identifies a specific display"
        #expect(reason { () throws(RedactionError) in try FormatsDrive.verify(JPEGVerifier.self, jpeg) } == display)
        let pngClean = PNGFixture.assemble(PNGFixture.chunks(png).filter { ["IHDR", "IDAT", "IEND", "iCCP"].contains($0.type) })
        #expect(PNGFixture.chunks(pngClean).map(\.type).contains("iCCP"))
        #expect(reason { () throws(RedactionError) in try FormatsDrive.verify(PNGVerifier.self, pngClean) } == display)
        #expect(reason { () throws(RedactionError) in try FormatsDrive.verify(GIFVerifier.self, gif) } == display)
        // The same files with a standard profile pass.
        let std = try ICCFixture.embedded(ICCFixture.standard(), ext: "jpg", in: scratch)
        #expect(reason { () throws(RedactionError) in try FormatsDrive.verify(JPEGVerifier.self, std) } == nil)
    }

    @Test func iccpInflationIsBounded() {
        let profile = ICCFixture.standard()
        let stored = PNGFixture.zlibStored(profile)
        #expect(PNGInflate.inflate(stored[...], limit: profile.count) == profile)
        #expect(PNGInflate.inflate(stored[...], limit: profile.count - 1) == nil)
        #expect(PNGVerifierInflate.uncompressed(stored, limit: profile.count) == profile)
        #expect(PNGVerifierInflate.uncompressed(stored, limit: profile.count - 1) == nil)
        #expect(PNGInflate.inflate(stored.dropLast()[...], limit: 1 << 20) == nil)
    }
}
