import LarderTestSupport
import Foundation
import LarderCore
import Testing

/// `--hf-token-file` as the chart mounts it: a Secret volume, where the file is a symlink through `..data` and a
/// rotation swaps `..data`. The new token must be used without a restart.
@Suite("Hub token file")
struct HFTokenFileTests {
    @Test func aRotatedSecretIsPickedUp() throws {
        var volume = ConfigMapVolume()
        volume.name = "token"
        defer { volume.remove() }
        try volume.publish("hf_first\n")
        let token = HFToken(file: volume.path, token: nil)
        #expect(token.current == "hf_first")
        try volume.publish("hf_second\n")
        #expect(token.current == "hf_second", "the token after the Secret's ..data swap")
        #expect(token.authorization(clientAuthorization: nil).first?.value == "Bearer hf_second")
    }
}
