import Foundation
import RunRecorder
import Testing

/// Media types of artifacts given without one (issue 17 item 2).
@Suite struct ArtifactMediaTypeTests {
    @Test(arguments: [
        ("{\"text\": \"hello\", \"segments\": []}\n", ArtifactMediaType.json),
        ("  [1, 2, 3]", ArtifactMediaType.json),
        ("{\"text\": \"unterminated", ArtifactMediaType.text),
        ("hello world\n", ArtifactMediaType.text),
        ("grüße, 日本語\n", ArtifactMediaType.text),
        ("42", ArtifactMediaType.text),
        ("", ArtifactMediaType.text),
    ])
    func textAndJSON(content: String, expected: String) {
        #expect(ArtifactMediaType.detect(content: Data(content.utf8)) == expected)
    }

    @Test func binaryContent() {
        #expect(ArtifactMediaType.detect(content: Data([0x68, 0x69, 0x00, 0x21])) == ArtifactMediaType.binary)
        #expect(ArtifactMediaType.detect(content: Data([0xC3, 0x28])) == ArtifactMediaType.binary)
        #expect(ArtifactMediaType.detect(content: Data([0xFF, 0xFE, 0xFD])) == ArtifactMediaType.binary)
    }

    @Test func aMultiByteCharacterCutAtTheEndOfAPrefixIsStillText() {
        let cut = Data("ab€".utf8).dropLast()
        #expect(ArtifactMediaType.detect(content: cut, complete: false) == ArtifactMediaType.text)
        #expect(ArtifactMediaType.detect(content: cut, complete: true) == ArtifactMediaType.binary)
    }

    @Test func filesByExtensionThenContent() throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files: [(String, Data, String)] = [
            ("stdout", Data("{\"text\": \"x\"}".utf8), ArtifactMediaType.json),
            ("transcript", Data("words\n".utf8), ArtifactMediaType.text),
            ("notes.txt", Data([0, 1]), ArtifactMediaType.text),
            ("weights", Data([0, 1, 2, 255]), ArtifactMediaType.binary),
        ]
        for (name, content, expected) in files {
            try content.write(to: URL(fileURLWithPath: directory + "/" + name))
            #expect(ArtifactMediaType.detect(path: directory + "/" + name) == expected, "\(name)")
        }
        #expect(ArtifactMediaType.detect(path: directory + "/missing") == ArtifactMediaType.binary)
    }
}
