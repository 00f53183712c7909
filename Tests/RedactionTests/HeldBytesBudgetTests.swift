import Foundation
import Testing
import TiplinePolicy

@testable import TiplineRedaction

/// Issue 10 item 11: held-whole formats (TIFF, WebP, HEIF) claim their bytes from one budget;
/// past it a file is refused as `.busy` (retryable) and every claim is returned at the end.
@Suite("Held-bytes budget")
struct HeldBytesBudgetTests {
    /// An uncompressed 200x200 RGB TIFF by ImageMagick: about 120 KB.
    static func tiff(_ scratch: Scratch) throws -> [UInt8] {
        try Tools.run("convert", ["-size", "200x200", "plasma:fractal", "-seed", "3", "-compress", "none", "-strip", scratch.path("b.tif")])
        return try scratch.read("b.tif")
    }

    @Test("A second held file past the budget is refused as busy; after the first ends it goes through")
    func secondFileWaitsForTheFirst() throws {
        let scratch = try Scratch()
        let file = try Self.tiff(scratch)
        let budget = HeldBytesBudget(limit: file.count + file.count / 2)
        let redactor = Redactor(policy: RedactionPolicy(), heldBytes: budget)
        var first = redactor.makeSession()
        _ = try first.consume(file)
        #expect(budget.inUse == file.count)
        var second = redactor.makeSession()
        #expect(throws: RedactionError.busy(retryAfterSeconds: HeldBytesBudget.retryAfterSeconds)) { _ = try second.consume(file) }
        let (clean, _) = try first.finish()
        #expect(!clean.isEmpty)
        #expect(budget.inUse == 0, "the finished scrub returned its claim")
        var third = redactor.makeSession()
        _ = try third.consume(file)
        #expect(try third.finish().tail == clean)
        #expect(budget.inUse == 0)
    }

    @Test("A scrub that is alone is admitted past the budget, so one large file is never refused as busy")
    func loneFileAdmitted() throws {
        let scratch = try Scratch()
        let file = try Self.tiff(scratch)
        let budget = HeldBytesBudget(limit: 1024)
        let (output, _) = try Redactor(policy: RedactionPolicy(), heldBytes: budget).redact(file)
        #expect(output.count > 1024 && budget.inUse == 0)
    }

    @Test("A refused file returns its claim too")
    func refusedFileReleases() throws {
        let budget = HeldBytesBudget(limit: 1 << 20)
        var broken: [UInt8] = [0x49, 0x49, 42, 0, 0xFF, 0xFF, 0, 0] + [UInt8](repeating: 0, count: 5000)
        broken[4] = 0xF0
        var session = Redactor(policy: RedactionPolicy(), heldBytes: budget).makeSession()
        _ = try session.consume(broken)
        #expect(budget.inUse == broken.count)
        #expect(throws: RedactionError.self) { _ = try session.finish() }
        #expect(budget.inUse == 0)
    }

    @Test("The busy message tells the tipster to retry and that nothing was stored")
    func busyMessage() {
        #expect(
            RedactionError.busy(retryAfterSeconds: 5).description
                == "the server is cleaning too many large files right now; nothing was stored, try again in 5 seconds")
    }

    @Test("Held-whole outputs are handed over: the tail shares the verifier-checked buffer, bytes match the piecewise path")
    func handOverMatchesPieces() throws {
        let scratch = try Scratch()
        let file = try Self.tiff(scratch)
        let whole = try Redactor(policy: RedactionPolicy()).redact(file).output
        var session = Redactor(policy: RedactionPolicy()).makeSession()
        var pieces: [UInt8] = []
        var sizes: [Int] = []
        _ = try session.consume(file)
        _ = try session.finish { piece in
            sizes.append(piece.count)
            pieces.append(contentsOf: piece)
        }
        #expect(pieces == whole)
        #expect(sizes.allSatisfy { $0 <= 256 * 1024 })
    }
}
