import Foundation
import Testing

/// A tipster submits through the JSON API, the investigator reads, exports and replies with the
/// real `tipvault`, the tipster follows up; then every byte the server left (vault, WAL/SHM,
/// its TMPDIR, its logs) is searched for what must never be kept in plaintext.
@Suite("Intake end to end", .enabled(if: Binaries.serverAvailable, "tipintake serve is not built"))
struct EndToEndTests {
    static let receiptPattern = #"^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){4}$"#

    @Test("a tip with a GPS photo and a PNG is scrubbed, stored, exported clean, answered, and leaves no plaintext")
    func fullJourney() throws {
        let server = try ServerUnderTest()
        let jpeg = try Fixtures.gpsRotatedJPEG(in: server.work)
        let png = try Fixtures.textPNG(in: server.work)
        let message = "The ledger is in the blue van. " + Fixtures.canary("message")
        let jpegName = "IMG_\(Fixtures.canary("jpgname")).jpg"
        let pngName = "scan_\(Fixtures.canary("pngname")).png"
        let userAgent = "Mozilla/5.0 " + Fixtures.canary("useragent")
        let clientAddress = "127.83.41.7"
        let forwarded = "203.0.113.77"

        // 1. Submit.
        let body = MultipartBody.tip(message: message, files: [(jpegName, jpeg.bytes), (pngName, png.bytes)])
        let r = try server.submit(
            body, headers: [("User-Agent", userAgent), ("X-Forwarded-For", forwarded), ("X-Real-IP", forwarded), ("Forwarded", "for=\(forwarded)")],
            sourceAddress: clientAddress)
        #expect(r.status == 201, "body: \(r.text.prefix(300))")
        #expect(r.header("Content-Type")?.hasPrefix("application/json") == true)
        let json = try #require(r.json)
        #expect(Set(json.keys) == ["receipt", "attachments"])
        let receipt = try #require(json["receipt"] as? String)
        #expect(receipt.range(of: Self.receiptPattern, options: .regularExpression) != nil, "receipt text shape")
        #expect(Contract.isWellFormedReceipt(receipt), "receipt check symbol (FORMAT.md §4.2)")

        // 5. Durability: visible to the investigator as soon as the receipt is.
        let tips = try server.listTips()
        #expect(tips.count == 1)
        let tip = try #require(tips.first)
        let id = try #require(tip["id"] as? String)
        #expect(tip["category"] as? String == "fraud")
        #expect(tip["attachments"] as? Int == 2)
        #expect((tip["kinds"] as? [String])?.sorted() == ["jpeg", "png"])
        #expect(tip["firstLine"] as? String == message)

        // Attachment reports: exactly what `tipintake redact` reports for the same bytes.
        let items = try #require(json["attachments"] as? [[String: Any]])
        #expect(items.count == 2)
        let oracleJPEG = try Oracles.redactReport(jpeg.bytes, name: "a.jpg", in: server.work)
        let oraclePNG = try Oracles.redactReport(png.bytes, name: "b.png", in: server.work)
        for (item, name, oracle, format, input) in [
            (items.first ?? [:], jpegName, oracleJPEG, "jpeg", jpeg.bytes), (items.last ?? [:], pngName, oraclePNG, "png", png.bytes),
        ] {
            #expect(Set(item.keys) == ["name", "format", "bytes", "removed", "kept"])
            #expect(item["name"] as? String == name)
            #expect(item["format"] as? String == format)
            let removed = item["removed"] as? [String] ?? ["?"]
            let kept = item["kept"] as? [String] ?? ["?"]
            #expect(removed == oracle["removed"] as? [String])
            #expect(kept == oracle["kept"] as? [String])
            #expect(removed == removed.sorted() && kept == kept.sorted())
            // Reading: `bytes` is the stored (scrubbed) size; the input size is also accepted.
            let bytes = item["bytes"] as? Int ?? -1
            #expect(bytes == oracle["bytes_out"] as? Int || bytes == input.count, "bytes \(bytes)")
        }
        #expect((items.first?["removed"] as? [String])?.contains("location") == true)
        #expect((items.first?["kept"] as? [String])?.contains("orientation") == true)

        // Export: neutral names, no identifying metadata, the same pixels, still rotated.
        let exportDir = server.work.appendingPathComponent("export")
        let export = try server.investigate(["export", id, "--to", exportDir.path, "--json"])
        #expect(export.status == 0, "\(export.err)")
        let files = try #require(try JSONSerialization.jsonObject(with: Data(export.out.utf8)) as? [[String: Any]])
        #expect(files.map { $0["name"] as? String ?? "" } == ["attachment-1.jpg", "attachment-2.png"])
        let originals = [("orig.jpg", jpeg), ("orig.png", png)]
        for (file, (origName, original)) in zip(files, originals) {
            let path = exportDir.appendingPathComponent(file["name"] as? String ?? "").path
            let origPath = server.work.appendingPathComponent(origName).path
            try Data(original.bytes).write(to: URL(fileURLWithPath: origPath))
            let tags = try Oracles.exiftool(path)
            #expect(Oracles.identifyingTags(tags) == [], "\(path)")
            #expect(try Oracles.differingPixels(origPath, path) == "0", "decoded pixels differ: \(path)")
            let exported = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            for planted in original.planted { #expect(!exported.contains(bytes: Array(planted.utf8)), "\(planted) survived in \(path)") }
            if origName.hasSuffix(".jpg") { #expect(tags["IFD0:Orientation"] == "6", "orientation kept") }
        }

        // Follow-up: the investigator replies; the tipster sees it with the receipt.
        let replyText = "Thank you. Which van? " + Fixtures.canary("reply")
        let reply = try server.investigate(["reply", id, replyText])
        #expect(reply.status == 0, "\(reply.err)")
        let followup = try RawConnection.postJSON(port: server.port, "/api/v1/followup", ["receipt": receipt])
        #expect(followup.status == 200, "\(followup.text.prefix(300))")
        #expect(followup.json?["status"] as? String == "received")
        let replies = followup.json?["replies"] as? [[String: String]] ?? []
        #expect(replies.map { $0["text"] } == [replyText])
        #expect(replies.map { $0["day"] } == [tip["day"] as? String])
        // Accepted spellings: lower case, no hyphens.
        let sloppy = try RawConnection.postJSON(
            port: server.port, "/api/v1/followup", ["receipt": receipt.lowercased().replacingOccurrences(of: "-", with: "")])
        #expect(sloppy.status == 200 && sloppy.body == followup.body)

        // The tipster writes back.
        let followMessage = "It is parked behind the depot. " + Fixtures.canary("followup")
        var more = MultipartBody()
        more.field("receipt", receipt)
        more.field("message", followMessage)
        let posted = try server.submit(more, path: "/api/v1/followup/messages")
        #expect(posted.status == 201, "\(posted.text.prefix(300))")
        #expect(posted.json?.keys.sorted() == ["attachments"])
        #expect((posted.json?["attachments"] as? [Any])?.count == 0)
        let shown = try server.showTip(id)
        let followUps = shown["followUps"] as? [[String: Any]] ?? []
        #expect(followUps.map { $0["message"] as? String } == [followMessage])
        let showText = try server.investigate(["show", id])
        #expect(showText.out.contains(followMessage))

        // Privacy: nothing the tipster sent, and nothing about them, in plaintext anywhere.
        let secrets =
            [
                message, followMessage, replyText, receipt, receipt.replacingOccurrences(of: "-", with: ""), jpegName, pngName,
                userAgent, clientAddress, forwarded,
            ] + jpeg.planted + png.planted
        func scan(_ when: String) {
            let everything =
                ServerUnderTest.files(under: server.vault) + ServerUnderTest.files(under: server.tmp)
                + [
                    (path: server.stdoutLog.path, bytes: Array(server.stdoutText.utf8)),
                    (path: server.stderrLog.path, bytes: Array(server.stderrText.utf8)),
                ]
            #expect(everything.contains { $0.path.hasSuffix("vault.sqlite") }, "the vault file exists")
            for (path, bytes) in everything {
                for s in secrets {
                    #expect(!bytes.contains(bytes: Array(s.utf8)), "\(when): `\(s.prefix(24))…` found in \(path)")
                }
            }
        }
        scan("while running")
        #expect(server.stdoutText == "tipintake: listening on http://127.0.0.1:\(server.port)\n", "stdout is exactly the listening line")
        #expect(server.stop() == 0, "SIGTERM: graceful exit 0")
        scan("after shutdown")
    }

    @Test("receipts: a well-formed unknown receipt looks exactly like a tip with no replies; malformed ones are 422")
    func receiptLookups() throws {
        let server = try ServerUnderTest()
        let r = try server.submit(.tip(message: "no attachments here"))
        #expect(r.status == 201, "\(r.text.prefix(300))")
        let receipt = try #require(r.json?["receipt"] as? String)

        let valid = try RawConnection.postJSON(port: server.port, "/api/v1/followup", ["receipt": receipt])
        let unknown = try RawConnection.postJSON(port: server.port, "/api/v1/followup", ["receipt": Fixtures.randomReceipt()])
        #expect(valid.status == 200)
        #expect(unknown.status == 200)
        #expect(unknown.json?["status"] as? String == "received")
        #expect((unknown.json?["replies"] as? [Any])?.count == 0)
        #expect(Set(unknown.json?.keys.map { $0 } ?? []) == ["status", "replies"])
        #expect(unknown.body == valid.body, "byte-identical bodies: \(unknown.text) vs \(valid.text)")
        let names = { (x: RawResponse) in x.headers.map { $0.name.lowercased() }.filter { $0 != "date" }.sorted() }
        #expect(names(unknown) == names(valid))
        #expect(
            unknown.headers.filter { $0.name.lowercased() != "date" }.map(\.value)
                == valid.headers.filter { $0.name.lowercased() != "date" }.map(\.value))

        // A follow-up message to an unknown receipt: same 201 shape, nothing stored.
        var m = MultipartBody()
        m.field("receipt", Fixtures.randomReceipt())
        m.field("message", "hello?")
        let lost = try server.submit(m, path: "/api/v1/followup/messages")
        #expect(lost.status == 201, "\(lost.text.prefix(300))")
        #expect(lost.json?.keys.sorted() == ["attachments"])
        let tips = try server.listTips()
        #expect(tips.count == 1)
        #expect(tips.first?["followUps"] as? Int == 0)

        for bad in ["ABC", Fixtures.withWrongCheck(receipt), "U" + receipt.dropFirst(), receipt + "-0", "", "7D2KQ!9XW0M-00000-00000-00000"] {
            let response = try RawConnection.postJSON(port: server.port, "/api/v1/followup", ["receipt": bad])
            Contract.expectError(response, 422, "invalid_field")
            #expect(!response.text.contains(bad) || bad.count < 4, "the malformed receipt is not echoed")
        }
    }

    @Test("durability: each receipt is returned only once the tip is visible to tipvault list")
    func receiptAfterCommit() throws {
        let server = try ServerUnderTest()
        let png = try Fixtures.plainPNG(in: server.work)
        for i in 1...4 {
            let r = try server.submit(.tip(message: "tip number \(i)", files: i % 2 == 0 ? [("p.png", png)] : []))
            #expect(r.status == 201, "\(r.text.prefix(300))")
            #expect(try server.tipCount() == i, "tip \(i) listed right after its 201")
        }
    }
}
