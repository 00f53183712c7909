import Foundation
import Testing
import TiplinePolicy

@testable import TiplineRedaction

/// Intake receives uploads in pieces of whatever size the network gives; the result must
/// not depend on where the pieces are cut.
@Suite struct StreamingTests {
    static func fixtures(_ scratch: Scratch) throws -> [(String, [UInt8])] {
        var list = [
            ("jpeg", try JPEGFixture.planted(in: scratch)),
            ("progressive jpeg", try JPEGFixture.planted(in: scratch, progressive: true)),
            ("png", try PNGFixture.planted(in: scratch)),
            ("apng", try PNGFixture.apng(in: scratch)),
            ("gif", try GIFFixture.planted(in: scratch)),
        ]
        if Corpus.available { list.append(("corpus jpeg", try Corpus.bytes("jpg/xmp/BlueSquare.jpg"))) }
        return list
    }

    @Test func oneBytePiecesGiveTheSameOutputAsOneShot() throws {
        let scratch = try Scratch()
        for (name, input) in try Self.fixtures(scratch) {
            let whole = try Redactor(policy: RedactionPolicy()).redact(input)
            let pieces = try redactInPieces(input, sizes: [1])
            #expect(pieces.output == whole.output, "\(name)")
            #expect(pieces.report == whole.report, "\(name)")
        }
    }

    @Test func randomPieceSizesGiveTheSameOutputAsOneShot() throws {
        let scratch = try Scratch()
        var rng = SeededGenerator(state: 7)
        for (name, input) in try Self.fixtures(scratch) {
            let whole = try Redactor(policy: RedactionPolicy()).redact(input)
            for _ in 0..<5 {
                let sizes = (0..<64).map { _ in Int.random(in: 1...5000, using: &rng) }
                let pieces = try redactInPieces(input, sizes: sizes)
                #expect(pieces.output == whole.output, "\(name) \(sizes.prefix(4))")
                #expect(pieces.report == whole.report, "\(name)")
            }
        }
    }

    @Test func cleanBytesFlowBeforeTheEndOfTheFile() throws {
        let scratch = try Scratch()
        let input = try JPEGFixture.planted(in: scratch)
        var session = Redactor(policy: RedactionPolicy()).makeSession()
        let early = try session.consume(Array(input[0..<(input.count - 100)]))
        #expect(early.count > input.count / 4)
        let late = try session.consume(Array(input[(input.count - 100)...]))
        let (tail, _) = try session.finish()
        #expect(tail.isEmpty)
        #expect(early + late == (try Redactor(policy: RedactionPolicy()).redact(input).output))
    }

    @Test func sniffingWaitsForEnoughBytes() throws {
        var session = Redactor(policy: RedactionPolicy()).makeSession()
        for b in PNGFixture.signature.prefix(7) { #expect(try session.consume([b]) == []) }
        #expect(try session.consume([PNGFixture.signature[7]]) == PNGFixture.signature)
    }

    @Test func truncationErrorIsTheSameWhicheverWayTheBytesArrive() throws {
        let scratch = try Scratch()
        let input = try GIFFixture.planted(in: scratch)
        let cut = Array(input[0..<(input.count / 2)])
        #expect(throws: RedactionError.truncated(.gif, offset: cut.count)) { try redactInPieces(cut, sizes: [1]) }
        #expect(throws: RedactionError.truncated(.gif, offset: cut.count)) { try redactInPieces(cut, sizes: [777]) }
    }
}
