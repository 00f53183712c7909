import ArgumentParser
import Foundation
import TiplineCrypto
import TiplineVault

/// Test aid (hidden): writes synthetic tips through `TipComposer`, exactly as the intake server
/// does, and prints each id only after its commit returned. The crash-safety test kills it with
/// SIGKILL mid-write and checks that every printed id is readable in full.
struct DebugWriteTipsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "debug-write-tips", abstract: "Test aid: write synthetic tips in a loop, print each committed id.",
        shouldDisplay: false)

    @OptionGroup var location: VaultLocation
    @Option(help: "How many tips (0 = until killed).") var count = 0
    @Option(help: "Bytes of each attachment.") var attachmentBytes = 300_000
    @Option(help: "Attachments per tip.") var attachments = 2

    func run() throws {
        try Console.run { () throws(VaultError) in
            let vault = try Vault(directory: location.url, policy: try location.loadPolicy().vault, createIfMissing: false)
            guard let newest = try Vault.agencyPublicKeys(in: location.url).last else { throw .agencyKeyFileMissing(path: location.vault) }
            var n = 0
            while count == 0 || n < count {
                n += 1
                let lookupID = (0..<32).map { _ in UInt8.random(in: 0...255) }
                let composer = try TipComposer(vault: vault, lookupID: lookupID, recipients: [newest])
                var entries: [AttachmentEntry] = []
                for i in 0..<UInt32(attachments) {
                    try composer.beginAttachment(i)
                    var left = attachmentBytes
                    while left > 0 {
                        let piece = min(left, 50_000)
                        try composer.push([UInt8](repeating: UInt8(truncatingIfNeeded: n &+ Int(i)), count: piece))
                        left -= piece
                    }
                    entries.append(
                        AttachmentEntry(
                            index: i, name: "attachment-\(i + 1).bin", format: "bin",
                            bytes: try composer.endAttachment()))
                }
                let id = try composer.finish(
                    document: TipDocument(
                        kind: .tip, message: "debug tip \(n)", category: "other",
                        attachments: entries))
                Console.out(id.text)
            }
        }
    }
}
