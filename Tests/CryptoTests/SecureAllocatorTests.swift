import Testing

@testable import TiplineCrypto

@Suite("Secure memory recycling")
struct SecureAllocatorTests {
    /// An odd size no other test allocates, so parallel tests do not take the block first.
    static let size = 4093

    @Test("a released secret is wiped before its block is handed out again")
    func recycledBlocksAreWiped() {
        var address: UnsafeRawPointer?
        do {
            let secret = SecureBytes(count: Self.size)
            secret.withUnsafeMutableBytes {
                $0.initializeMemory(as: UInt8.self, repeating: 0xA5); address = UnsafeRawPointer($0.baseAddress)
            }
        }
        #expect(SecureAllocator.recycledCount(size: Self.size) >= 1)
        let again = SecureBytes(count: Self.size)
        again.withUnsafeBytes { bytes in
            #expect(bytes.allSatisfy { $0 == 0 })
            #expect(UnsafeRawPointer(bytes.baseAddress) == address)  // the same locked block, reused
        }
    }

    @Test("the pool keeps a bounded number of blocks per size")
    func poolIsBounded() {
        do {
            let many = (0..<(SecureAllocator.maxBlocksPerSize * 3)).map { _ in SecureBytes(count: Self.size + 2) }
            #expect(many.count == SecureAllocator.maxBlocksPerSize * 3)
        }
        #expect(SecureAllocator.recycledCount(size: Self.size + 2) == SecureAllocator.maxBlocksPerSize)
    }
}
