import Loader
import Testing

/// The policy fingerprint's SHA-256 against the FIPS 180-4 / NIST CAVP vectors, the padding
/// boundaries (55 bytes fit one block with the length, 56 need a second; 64 is a whole block),
/// and the same bytes fed in pieces.
@Suite("SHA-256")
struct SHA256Tests {
    /// Bytes `(i * 7 + 3) mod 256` for i in 0..<count: no run of equal bytes hides a word-order bug.
    static func pattern(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
    }

    @Test(
        "NIST examples",
        arguments: [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
            ),
            (
                "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
                "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
            ),
        ])
    func nistExamples(message: String, digest: String) {
        #expect(SHA256.hex(message.utf8) == digest)
    }

    @Test("one million 'a' (NIST long message)")
    func millionA() {
        var hasher = SHA256()
        let thousand = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { hasher.update(thousand) }
        #expect(hasher.finalizeHex() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test(
        "padding boundaries around one and two blocks",
        arguments: [
            (55, "e7313d333c272e639f790978283f9eb392e843d0f29b7016828bb1daa4aac70b"),
            (56, "4324d65f3c103567f5589c710bc08f8523f929a9272e3af36fc968e52abc6c27"),
            (57, "35df609437dcfea3279283ab79fd554e2bf78f8f7ae2de532d8ee300b09e8f73"),
            (63, "81c80242132f230c3bd41b3e63bbcff16107339549214a99614ff26664625055"),
            (64, "39e3d7b6b5d075d37d053ad89b24b41bef4f3c29760c84447cab3f3be1882241"),
            (65, "aacca6ff74fdbb296d165a45cecfa04e5127bc008770fbbdd48006f2d2fae95e"),
            (119, "9ce7368e4daf32341631b492e80359dc9f594b48453cd0dd5bf0b19279cc177e"),
            (120, "7836b787757e95e58b3ca5aec90b1b004e8deba1e50e9675af9cabf1a13a04b5"),
            (128, "d2742f1f4ac6bb7ca2b239ee18402ba8b3f9f8e652d2a72973c2b9ba11c08cf6"),
        ])
    func boundaries(length: Int, digest: String) {
        #expect(SHA256.hex(Self.pattern(length)) == digest)
    }

    @Test("bytes fed in two pieces, split anywhere, hash as when fed at once")
    func piecewise() {
        let bytes = Self.pattern(130)
        let whole = SHA256.hex(bytes)
        for split in 0...bytes.count {
            var hasher = SHA256()
            hasher.update(bytes[0..<split])
            hasher.update(bytes[split...])
            #expect(hasher.finalizeHex() == whole, "split at \(split)")
        }
    }

    @Test("a loaded policy's fingerprint is the SHA-256 of path, NUL, contents, NUL")
    func policyFingerprint() throws {
        let report = PolicyLoader.load(text: "version 1\ndefault forward\n", path: "/tmp/bk-sha.policy")
        let loaded = try #require(report.loaded)
        #expect(loaded.sha256 == "5c94ffc7b93789dd2b56938702aaa22e2b146e74d6ce86821566b5ae728d6f53")
    }
}
