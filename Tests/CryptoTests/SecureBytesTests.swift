import Testing

@testable import TiplineCrypto

@Suite("SecureBytes")
struct SecureBytesTests {
    @Test("new storage is zero-filled and copies are exact")
    func zeroFilledAndCopy() {
        let zeros = SecureBytes(count: 100)
        #expect(zeros.withUnsafeBytes { $0.allSatisfy { $0 == 0 } })
        let copy = SecureBytes(copying: [1, 2, 3, 255])
        #expect(copy.count == 4)
        #expect(copy.withUnsafeBytes { Array($0) } == [1, 2, 3, 255])
        let fromSlice = SecureBytes(copying: [9, 8, 7, 6][1...])
        #expect(fromSlice.withUnsafeBytes { Array($0) } == [8, 7, 6])
    }

    @Test("== compares contents and length, not identity")
    func equality() {
        let a = SecureBytes(copying: [1, 2, 3]), b = SecureBytes(copying: [1, 2, 3])
        #expect(a == b)
        #expect(a != SecureBytes(copying: [1, 2, 4]))
        #expect(a != SecureBytes(copying: [1, 2]))
        #expect(SecureBytes(count: 0) == SecureBytes(copying: []))
        // Only the last byte differs: still unequal (the comparison covers every byte).
        var long = [UInt8](repeating: 5, count: 4096)
        let x = SecureBytes(copying: long)
        long[4095] = 6
        #expect(x != SecureBytes(copying: long))
    }

    @Test("random bytes differ between calls and are not all zero")
    func random() {
        let a = SecureBytes.random(count: 32), b = SecureBytes.random(count: 32)
        #expect(a != b)
        #expect(a != SecureBytes(count: 32))
        #expect(SecureBytes.random(count: 0).count == 0)
    }

    @Test("mutation through withUnsafeMutableBytes is visible")
    func mutation() {
        let bytes = SecureBytes(count: 3)
        bytes.withUnsafeMutableBytes { $0[1] = 7 }
        #expect(bytes == SecureBytes(copying: [0, 7, 0]))
    }
}
