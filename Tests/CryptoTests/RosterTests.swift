import Testing

@testable import TiplineCrypto

@Suite("Signed roster")
struct RosterTests {
    let ana = SigningFixtures.key(1)
    let ben = SigningFixtures.key(2)
    let cho = SigningFixtures.key(3)

    /// FORMAT.md §13.3, computed independently (Python `cryptography`) from seeds 01…, 02…, 03….
    static let vector = """
        tipline-roster-v1
        sequence 2
        member admin ana tipline-investigator-pk-v1:iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w=
        member investigator ben tipline-investigator-pk-v1:gTl3Dqh9F19Wo1Rmw0x+zMuNipG07jeiXfYPW4/Js5Q=
        member revoked cho tipline-investigator-pk-v1:7UkoxijRwsbq6QM4kFmVYSlZJzpcY/k2NsFGFKyHN9E=
        signed-by tipline-investigator-pk-v1:iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w=
        signature uKwy7f4h7AYLlvl/F5I0+dhN/cMAcpzAQu7MjOtWUMzH3eHfZFzTuIG62+5JTGjLiUWgTDib8BkRQOy4nzHFDg==

        """

    func roster(_ sequence: UInt64, _ members: [(String, InvestigatorSigningKey, Roster.Role)]) throws -> Roster {
        try Roster(sequence: sequence, members: members.map { Roster.Member(name: $0.0, key: $0.1.publicKey, role: $0.2) })
    }

    @Test("the documented roster is written byte for byte and reads back")
    func documentedVector() throws {
        // Members given out of order: the canonical form sorts them by name.
        let signed = try roster(2, [("cho", cho, .revoked), ("ana", ana, .admin), ("ben", ben, .investigator)]).signed(by: ana)
        #expect(String(decoding: signed.bytes, as: UTF8.self) == Self.vector)
        let read = try SignedRoster(bytes: Array(Self.vector.utf8))
        #expect(read == signed)
        #expect(read.roster.member(for: ben.publicKey)?.role == .investigator)
        #expect(read.roster.member(for: SigningFixtures.key(4).publicKey) == nil)
    }

    @Test("any altered byte, a non-canonical spelling or a trailing byte is refused")
    func tampering() {
        let bytes = Array(Self.vector.utf8)
        // "sequence 2" -> "sequence 3": still canonical, so only the signature catches it.
        var bumped = bytes
        bumped[bytes.firstIndex(of: UInt8(ascii: "2"))!] = UInt8(ascii: "3")
        #expect(throws: SignedFormatError.rosterSignatureInvalid) { try SignedRoster(bytes: bumped) }
        let promoted = Array(Self.vector.replacingOccurrences(of: "member investigator ben", with: "member admin ben").utf8)
        #expect(throws: SignedFormatError.rosterSignatureInvalid) { try SignedRoster(bytes: promoted) }
        for bad in [
            Self.vector.replacingOccurrences(of: "sequence 2", with: "sequence 02"),
            Self.vector.replacingOccurrences(of: "member admin ana", with: "member  admin ana"),
            Self.vector + "x\n", String(Self.vector.dropLast()),
            Self.vector.replacingOccurrences(of: "tipline-roster-v1", with: "tipline-roster-v2"),
            Self.vector.replacingOccurrences(of: "member revoked", with: "member owner"),
        ] {
            #expect(throws: (any Error).self) { try SignedRoster(bytes: Array(bad.utf8)) }
        }
    }

    @Test("names are checked and neither a name nor a key may appear twice")
    func members() {
        #expect(throws: SignedFormatError.malformedRoster(reason: "a name is listed twice")) {
            try roster(1, [("ana", ana, .admin), ("ana", ben, .investigator)])
        }
        #expect(throws: SignedFormatError.malformedRoster(reason: "a key is listed twice")) {
            try roster(1, [("ana", ana, .admin), ("ben", ana, .investigator)])
        }
        for name in ["", "Ana", "a b", "ana\n", String(repeating: "a", count: 33)] {
            #expect(throws: (any Error).self) { try roster(1, [(name, ana, .admin)]) }
        }
        #expect(throws: (any Error).self) { try roster(0, [("ana", ana, .admin)]) }
    }

    @Test("a pinned admin signs the first roster; later ones need a current admin and a higher sequence")
    func authority() throws {
        let pinned = [ana.publicKey]
        let first = try roster(1, [("ana", ana, .admin), ("ben", ben, .investigator)]).signed(by: ana)
        try RosterAuthority.check(first, current: nil, pinnedAdmins: pinned)
        // An investigator cannot write a roster, not even the first.
        let byBen = try roster(2, [("ana", ana, .admin), ("ben", ben, .admin)]).signed(by: ben)
        #expect(throws: SignedFormatError.rosterSignerNotAdmin) { try RosterAuthority.check(byBen, current: first, pinnedAdmins: pinned) }
        #expect(throws: SignedFormatError.rosterSignerNotAdmin) { try RosterAuthority.check(byBen, current: nil, pinnedAdmins: pinned) }
        // ana makes cho an admin; cho then removes ben.
        let second = try roster(2, [("ana", ana, .admin), ("ben", ben, .investigator), ("cho", cho, .admin)]).signed(by: ana)
        try RosterAuthority.check(second, current: first, pinnedAdmins: pinned)
        let third = try roster(3, [("ana", ana, .admin), ("ben", ben, .revoked), ("cho", cho, .admin)]).signed(by: cho)
        try RosterAuthority.check(third, current: second, pinnedAdmins: pinned)
        // Replaying the older roster (which re-admits ben) is refused, and so is an equal sequence.
        #expect(throws: SignedFormatError.rosterSequenceNotHigher(current: 3, offered: 2)) {
            try RosterAuthority.check(second, current: third, pinnedAdmins: pinned)
        }
        let same = try roster(3, [("ana", ana, .admin), ("ben", ben, .investigator)]).signed(by: ana)
        #expect(throws: SignedFormatError.rosterSequenceNotHigher(current: 3, offered: 3)) {
            try RosterAuthority.check(same, current: third, pinnedAdmins: pinned)
        }
        // A pinned key that the current roster revoked has lost its power.
        let revokedAna = try roster(4, [("ana", ana, .revoked), ("cho", cho, .admin)]).signed(by: cho)
        let byAna = try roster(5, [("ana", ana, .admin)]).signed(by: ana)
        #expect(throws: SignedFormatError.rosterSignerNotAdmin) { try RosterAuthority.check(byAna, current: revokedAna, pinnedAdmins: pinned) }
    }

    @Test("admin.pub holds one key a line")
    func pinnedFile() throws {
        let text = ana.publicKey.text + "\n\n" + cho.publicKey.text + "\n"
        #expect(try RosterAuthority.pinnedAdmins(text: text) == [ana.publicKey, cho.publicKey])
        #expect(throws: CryptoError.malformedKeyText) { try RosterAuthority.pinnedAdmins(text: "\n") }
        #expect(throws: CryptoError.malformedKeyText) { try RosterAuthority.pinnedAdmins(text: AgencySecretKey.generate().publicKey.text) }
    }
}
