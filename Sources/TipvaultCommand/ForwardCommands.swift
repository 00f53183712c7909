import ArgumentParser
import Foundation
import TiplineCrypto
import TiplineVault

struct ForwardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forward", abstract: "Re-seal a tip for another agency's public key into a self-contained file.")
    @Argument(help: "Tip id (or a unique prefix).") var id: String
    @Option(name: .long, help: ArgumentHelp("The other agency's agency.pub (its newest key is used).", valueName: "FILE")) var toKey: String
    @Option(name: .long, help: ArgumentHelp("The file to write (must not exist).", valueName: "FILE")) var out: String
    @OptionGroup var location: VaultLocation
    @OptionGroup var access: KeyAccess

    func run() throws {
        try Console.run { () throws(VaultError) in
            guard let text = try? String(contentsOfFile: toKey, encoding: .utf8),
                let line = text.split(separator: "\n").last(where: { $0.hasPrefix(AgencyPublicKey.textPrefix) }),
                let key = try? AgencyPublicKey(text: String(line))
            else { throw .agencyKeyFileMalformed(path: toKey, line: 1) }
            let target = URL(fileURLWithPath: out)
            guard !FileManager.default.fileExists(atPath: target.path) else { throw .exportTargetExists(path: target.path) }
            let investigation = try access.investigation(location, readOnly: true)
            let tip = try investigation.vault.resolveTip(id)
            try ForwardedEnvelope.write(tip, from: investigation, to: key, file: target)
            Console.out("wrote \(target.lastPathComponent): tip \(tip.short) sealed to agency key \(key.fingerprint) only")
        }
    }
}

struct OpenEnvelopeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "open-envelope", abstract: "Read a tip another agency forwarded to you (and export its attachments with --to).")
    @Argument(help: "The forwarded envelope file.") var file: String
    @Option(name: .long, help: ArgumentHelp("Export its attachments here.", valueName: "DIR")) var to: String?
    @OptionGroup var access: KeyAccess
    @Flag(help: "Print JSON for scripts.") var json = false

    func run() throws {
        try Console.run { () throws(VaultError) in
            let (_, keys) = try access.unlock()
            let (document, files) = try ForwardedEnvelope.open(
                file: URL(fileURLWithPath: file), keys: keys, exportTo: to.map { URL(fileURLWithPath: $0, isDirectory: true) })
            var shown = document
            shown.replyPublicKey = nil
            if json { return Console.json(Opened(document: shown, exported: files)) }
            Console.out("forwarded tip  category \(Output.clean(document.category ?? "-", limit: 40))")
            TipPrinter.printMessage(document.message, answers: document.answers, attachments: document.attachments)
            for f in files { Console.out("wrote \(f.name) (\(f.bytes) B)") }
        }
    }

    struct Opened: Encodable { var document: TipDocument; var exported: [ExportedFile] }
}
