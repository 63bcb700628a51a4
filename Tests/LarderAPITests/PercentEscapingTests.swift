import LarderAPI
import Testing

/// `PercentEscaping`: what stays, what is encoded.
struct PercentEscapingTests {
    @Test func unreservedCharactersStay() {
        #expect(PercentEscaping.segment("AZaz09-._~") == "AZaz09-._~")
    }

    @Test func everythingElseIsEncoded() {
        #expect(PercentEscaping.segment("a/b c?d#e%f") == "a%2Fb%20c%3Fd%23e%25f")
        #expect(PercentEscaping.segment("refs/pr/1") == "refs%2Fpr%2F1")
        #expect(PercentEscaping.segment("é") == "%C3%A9")
        #expect(PercentEscaping.segment("") == "")
    }

    @Test func pathsKeepTheirSeparators() {
        #expect(PercentEscaping.path("dir one/file#1.txt") == "dir%20one/file%231.txt")
        #expect(PercentEscaping.path("a//b") == "a/b")
    }
}
