import Foundation
import LarderAPI
@testable import LarderServer
import LarderCore
import LarderStore
import Testing

@Suite("HF manifests and tree listings")
struct ManifestTests {
    /// The tree ids `git write-tree` gives for `a` ("hello\n") and `sub/b` ("x").
    @Test func treeIDsMatchGit() throws {
        let repo = try HFRepoID(type: .model, name: "org/name")
        let digest = BlobDigest(hashing: [])
        let files = [
            HFFileEntry(path: "a", size: 6, blobID: "ce013625030ba8dba906f756967f9e9ca394464a", lfs: nil, digest: digest),
            HFFileEntry(path: "sub/b", size: 1, blobID: "c1b0730e0133447badcfd47fd144e254807b06e1", lfs: nil, digest: digest),
        ]
        let manifest = HFManifest(repo: repo, commit: String(repeating: "1", count: 40), files: files, lastModified: nil, origin: "import")
        let listing = HFTreeListing(manifest)
        #expect(listing.directories[""] == "8bf97078c16dc3afafe7adfcd0ceb22a32a78608")
        #expect(listing.directories["sub"] == "da981995a0f17908b3f6795c1e0c28a7e96b8a11")
        #expect(manifest.file("sub/b")?.size == 1)
        #expect(manifest.file("sub") == nil)
    }

    @Test func emptyTreeIsGitsEmptyTree() {
        #expect(HFGit.treeID([]) == "4b825dc642cb6eb9a060e54bf8d69288fbee4904")
    }

    @Test func listingsAreSortedAndNested() throws {
        let repo = try HFRepoID(type: .model, name: "org/name")
        let digest = BlobDigest(hashing: [])
        let paths = ["z.json", "onnx/model.onnx", "onnx/extra/x.txt", "a.txt"]
        let files = paths.map { HFFileEntry(path: $0, size: 1, blobID: String(repeating: "2", count: 40), lfs: nil, digest: digest) }
        let listing = HFTreeListing(HFManifest(repo: repo, commit: String(repeating: "1", count: 40), files: files, lastModified: nil, origin: "x"))
        #expect(listing.list("", recursive: true)?.map(\.path) == ["a.txt", "onnx", "onnx/extra", "onnx/extra/x.txt", "onnx/model.onnx", "z.json"])
        #expect(listing.list("", recursive: false)?.map(\.path) == ["a.txt", "onnx", "z.json"])
        #expect(listing.list("onnx", recursive: false)?.map(\.path) == ["onnx/extra", "onnx/model.onnx"])
        #expect(listing.list("a.txt", recursive: false) == nil)
        #expect(listing.list("missing", recursive: true) == nil)
    }
}
