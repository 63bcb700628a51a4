import Foundation
import LarderAPI
import Testing

/// The bytes of wire documents whose shape other programs rely on.
struct WireDocumentTests {
    @Test func errorBodyIsSortedJSONWithANewline() throws {
        let bytes = ErrorBody(error: "not_found", message: "no such blob").encoded()
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"error":"not_found","message":"no such blob"}"# + "\n")
        #expect(ErrorBody.parse(bytes) == ErrorBody(error: "not_found", message: "no such blob"))
        #expect(ErrorBody.parse(Array("oops".utf8)) == nil)
    }

    @Test func runDocumentOmitsAbsentInline() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(RunDocument(flow: "F", run: "1", tasks: []))
        #expect(String(decoding: data, as: UTF8.self) == #"{"flow":"F","run":"1","schema":"larder.run\/v1","tasks":[]}"#)
    }

    @Test func warmRequestAcceptsAPlainList() throws {
        let request = try JSONDecoder().decode(WarmRequest.self, from: Data(#"["hf://gpt2", {"ref": "hf://bert", "include": ["*.json"]}]"#.utf8))
        #expect(request.refs == [.init(ref: "hf://gpt2"), .init(ref: "hf://bert", include: ["*.json"])])
        #expect(request.pin == false)
    }
}
