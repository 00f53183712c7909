import Foundation
import Testing

/// The documentation's examples obey the contract they document.
@Suite("docs/openapi.yaml examples")
struct UnitOpenAPIExampleTests {
    @Test("every receipt-shaped example in docs/openapi.yaml has a correct check symbol")
    func receiptExamples() throws {
        let yaml = try String(contentsOf: Binaries.repo.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        // Five groups of five letters or digits: anything that looks like a receipt to a reader.
        let shaped = try NSRegularExpression(pattern: "\\b[0-9A-Za-z]{5}(?:-[0-9A-Za-z]{5}){4}\\b")
        let found = shaped.matches(in: yaml, range: NSRange(yaml.startIndex..., in: yaml)).compactMap {
            Range($0.range, in: yaml).map { String(yaml[$0]) }
        }
        #expect(!found.isEmpty, "docs/openapi.yaml has no receipt example")
        for example in found {
            #expect(Contract.isWellFormedReceipt(example), "example receipt \(example) fails its check symbol")
        }
    }
}
