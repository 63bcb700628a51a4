import Foundation
import LarderAPI

/// The JSON documents of the Hub API, built from a manifest.
enum HFDocuments {
    /// `GET /api/<type>s/<repo>/revision/<rev>`: the upstream's repository information (or a minimal one for
    /// imports) with `id`, `sha` and `siblings` from the manifest; with `blobs`, each sibling has `size`,
    /// `blobId` and `lfs {sha256, size, pointerSize}` as `snapshot_download` and `model_info(files_metadata=True)`
    /// read them.
    static func info(_ manifest: HFManifest, blobs: Bool) -> JSONValue {
        var object = manifest.info ?? synthesizedInfo(manifest)
        object["id"] = .string(manifest.repo.name)
        object["sha"] = .string(manifest.commit)
        if manifest.repo.type == .model { object["modelId"] = .string(manifest.repo.name) }
        if object["lastModified"] == nil, let lastModified = manifest.lastModified { object["lastModified"] = .string(lastModified) }
        // Keep clients on plain HTTP through this server.
        object["xetEnabled"] = nil
        object["siblings"] = .array(manifest.files.map { file in
            var sibling: [String: JSONValue] = ["rfilename": .string(file.path)]
            if blobs {
                sibling["size"] = .number(Double(file.size))
                sibling["blobId"] = .string(file.blobID)
                if let lfs = file.lfs {
                    sibling["lfs"] = .object([
                        "sha256": .string(lfs.sha256), "size": .number(Double(lfs.size)),
                        "pointerSize": .number(Double(lfs.pointerSize)),
                    ])
                }
            }
            return .object(sibling)
        })
        return .object(object)
    }

    /// The fields the Hub always sends, for a repository known only from an import.
    private static func synthesizedInfo(_ manifest: HFManifest) -> [String: JSONValue] {
        let name = manifest.repo.name
        var object: [String: JSONValue] = [
            "_id": .string(String(manifest.commit.prefix(24))),
            "private": .bool(false), "disabled": .bool(false), "gated": .bool(false),
            "downloads": .number(0), "likes": .number(0), "tags": .array([]),
            "usedStorage": .number(Double(manifest.totalSize)),
        ]
        if let slash = name.firstIndex(of: "/") { object["author"] = .string(String(name[..<slash])) }
        if let lastModified = manifest.lastModified {
            object["lastModified"] = .string(lastModified)
            object["createdAt"] = .string(lastModified)
        }
        return object
    }

    /// One entry of a tree listing (`type`, `oid`, `size`, `path`, and `lfs {oid, size, pointerSize}` for LFS files;
    /// never `xetHash`, which would send the client to the Xet protocol instead of this server).
    static func treeEntry(_ entry: HFTreeListing.Entry) -> JSONValue {
        switch entry {
        case .file(let file):
            var object: [String: JSONValue] = [
                "type": .string("file"), "oid": .string(file.blobID), "size": .number(Double(file.size)), "path": .string(file.path),
            ]
            if let lfs = file.lfs {
                object["lfs"] = .object([
                    "oid": .string(lfs.sha256), "size": .number(Double(lfs.size)), "pointerSize": .number(Double(lfs.pointerSize)),
                ])
            }
            return .object(object)
        case .directory(let path, let oid):
            return .object(["type": .string("directory"), "oid": .string(oid), "size": .number(0), "path": .string(path)])
        }
    }

    /// Encodes `value` as compact JSON.
    static func encode(_ value: JSONValue) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(value)) ?? Data("null".utf8))
    }
}
