import Foundation
import LarderAPI
import LarderCore

/// The directory structure of a manifest: what `GET /api/<type>s/<repo>/tree/<rev>[/<path>]` and `paths-info`
/// list, with git tree ids computed for directories (files taken as mode 100644).
struct HFTreeListing {
    /// A file or a directory.
    enum Entry {
        /// A file of the manifest.
        case file(HFFileEntry)
        /// A directory with its git tree id.
        case directory(path: String, oid: String)

        var path: String {
            switch self {
            case .file(let file): return file.path
            case .directory(let path, _): return path
            }
        }
    }

    let manifest: HFManifest
    /// Directory path ("" for the root) → its git tree id.
    let directories: [String: String]

    init(_ manifest: HFManifest) {
        self.manifest = manifest
        // Children of every directory, then tree ids bottom-up (deepest first).
        var children: [String: [HFGit.TreeEntry]] = [:]
        var subdirectories: [String: Set<String>] = ["": []]
        for file in manifest.files {
            let (parent, name) = Self.split(file.path)
            children[parent, default: []].append(.init(name: name, isDirectory: false, oid: file.blobID))
            var directory = parent
            while !directory.isEmpty {
                let (above, _) = Self.split(directory)
                subdirectories[above, default: []].insert(directory)
                if subdirectories[directory] == nil { subdirectories[directory] = [] }
                directory = above
            }
        }
        var ids: [String: String] = [:]
        let ordered = subdirectories.keys.sorted { depth($0) > depth($1) }
        for directory in ordered {
            var entries = children[directory] ?? []
            for sub in subdirectories[directory] ?? [] {
                entries.append(.init(name: Self.split(sub).name, isDirectory: true, oid: ids[sub] ?? ""))
            }
            ids[directory] = HFGit.treeID(entries)
        }
        self.directories = ids
    }

    /// The entries below `path` ("" for the root): its direct children, or everything below it when `recursive`,
    /// sorted by path. Nil when `path` is not a directory.
    func list(_ path: String, recursive: Bool) -> [Entry]? {
        guard directories[path] != nil else { return nil }
        let prefix = path.isEmpty ? "" : path + "/"
        var entries: [Entry] = []
        for (directory, oid) in directories where !directory.isEmpty && directory.hasPrefix(prefix) {
            if recursive || !directory.dropFirst(prefix.count).contains("/") {
                entries.append(.directory(path: directory, oid: oid))
            }
        }
        for file in manifest.files where file.path.hasPrefix(prefix) {
            if recursive || !file.path.dropFirst(prefix.count).contains("/") {
                entries.append(.file(file))
            }
        }
        return entries.sorted { $0.path < $1.path }
    }

    /// The entry at `path`, file or directory, or nil.
    func entry(_ path: String) -> Entry? {
        if let file = manifest.file(path) { return .file(file) }
        if !path.isEmpty, let oid = directories[path] { return .directory(path: path, oid: oid) }
        return nil
    }

    static func split(_ path: String) -> (parent: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        return (String(path[..<slash]), String(path[path.index(after: slash)...]))
    }
}

private func depth(_ path: String) -> Int {
    path.isEmpty ? 0 : path.split(separator: "/").count
}
