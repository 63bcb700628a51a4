import LarderAPI

extension HFManifest {
    /// Checks every path and object id (a manifest may come from an upstream this server does not control).
    package func validate() throws(HFInputError) {
        var seen = Set<String>()
        for file in files {
            try HFPath.validate(file.path)
            guard seen.insert(file.path).inserted, file.size >= 0, HFGit.isObjectID(file.blobID) else {
                throw .invalidPath(file.path)
            }
            if let lfs = file.lfs, BlobDigest(parsing: lfs.sha256, allowBare: true) == nil {
                throw .invalidPath(file.path)
            }
        }
    }

}
