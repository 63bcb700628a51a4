import Foundation
import LarderAPI
import LarderCore
import LarderServer
import LarderStore
import Testing

@Suite("HF names, paths, globs and git ids")
struct ParsingTests {
    @Test func repoIDs() throws {
        #expect(try HFRepoID(type: .model, name: "Systran/faster-whisper-tiny.en").name == "Systran/faster-whisper-tiny.en")
        #expect(try HFRepoID(type: .model, name: "gpt2").urlPath == "gpt2")
        #expect(try HFRepoID(type: .dataset, name: "org/data").urlPath == "datasets/org/data")
        for bad in ["", "/", "a/b/c", "..", "a/..", "../a", "a--b/c", "-a/b", "a./b", "a b/c", "a/b\u{0}", String(repeating: "x", count: 97), "/etc/passwd"] {
            #expect(throws: HFInputError.self, "\(bad)") { try HFRepoID(type: .model, name: bad) }
        }
    }

    @Test func revisions() throws {
        for good in ["main", "v1.0", "refs/pr/1", "refs/convert/parquet", String(repeating: "a", count: 40), "feature_x-2"] {
            try HFRevision.validate(good)
        }
        for bad in ["", "..", "a..b", "/main", "main/", "a//b", ".hidden", "x.lock", "a b", "ma\u{0}in", "@{-1}", "~1", String(repeating: "b", count: 201)] {
            #expect(throws: HFInputError.self, "\(bad)") { try HFRevision.validate(bad) }
        }
        #expect(HFRevision.isCommit(String(repeating: "0", count: 40)))
        #expect(!HFRevision.isCommit(String(repeating: "A", count: 40)))
    }

    @Test func paths() throws {
        for good in ["config.json", "a/b/c.bin", ".gitattributes", "onnx/model.onnx", "ünïcode.txt"] {
            try HFPath.validate(good)
        }
        for bad in ["", "/abs", "a//b", "a/./b", "../x", "a/..", "a\\b", "x\n", String(repeating: "p", count: 1001)] {
            #expect(throws: HFInputError.self, "\(bad)") { try HFPath.validate(bad) }
        }
    }

    @Test func references() throws {
        let plain = try HFReference(parsing: "hf://Systran/faster-whisper-tiny.en")
        #expect(plain.repo.name == "Systran/faster-whisper-tiny.en")
        #expect(plain.revision == "main" && !plain.explicitRevision)
        let dataset = try HFReference(parsing: "hf://datasets/org/data@refs/pr/3")
        #expect(dataset.repo.type == .dataset && dataset.revision == "refs/pr/3")
        #expect(dataset.description == "hf://datasets/org/data@refs/pr/3")
        for bad in ["Systran/x", "hf://", "hf://a/b/c", "hf://a/b@", "hf://a/b@..", "hf://../x"] {
            #expect(throws: HFInputError.self, "\(bad)") { try HFReference(parsing: bad) }
        }
    }

    @Test func globsFollowFnmatch() {
        #expect(HFGlob.matches("config.json", "*.json"))
        #expect(HFGlob.matches("sub/config.json", "*.json"))  // fnmatch: * matches /
        #expect(HFGlob.matches("onnx/model.onnx", "onnx/"))
        #expect(HFGlob.matches("vocabulary.txt", "vocabulary.*"))
        #expect(HFGlob.matches("model-00001.bin", "model-0000[0-9].bin"))
        #expect(!HFGlob.matches("model.bin", "*.json"))
        #expect(!HFGlob.matches("Config.json", "config.json"))
        #expect(HFGlob.matches("a?c", "a[?]c"))
        #expect(HFGlob.filter(["a.json", "b.bin", "c.json"], include: ["*.json"], exclude: ["c*"]) == ["a.json"])
    }

    @Test func gitObjectIDs() {
        // `git hash-object` of "hello\n" and of the empty file.
        #expect(HFGit.blobID(of: Array("hello\n".utf8)) == "ce013625030ba8dba906f756967f9e9ca394464a")
        #expect(HFGit.blobID(of: [UInt8]()) == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391")
        let sha = String(repeating: "ab", count: 32)
        let info = HFGit.lfsInfo(sha256: sha, size: 75_537_502)
        #expect(info.pointerSize == HFGit.lfsPointer(sha256: sha, size: 75_537_502).utf8.count)
        #expect(info.pointerSize == 133)
    }

    @Test func lfsRule() {
        #expect(HFLFSRule.isLFS(path: "model.bin", size: 10))
        #expect(HFLFSRule.isLFS(path: "weights/model.safetensors", size: 10))
        #expect(!HFLFSRule.isLFS(path: "config.json", size: 2000))
        #expect(HFLFSRule.isLFS(path: "tokenizer.json", size: 11 << 20))
    }
}

