import LarderAPI

extension HFFileEntry {
    /// The entry of a file with content digest `digest` and git blob id `contentBlobID`, stored in LFS when `lfs`.
    public static func make(path: String, size: Int64, digest: BlobDigest, contentBlobID: String, lfs: Bool) -> HFFileEntry {
        guard lfs else {
            return HFFileEntry(path: path, size: size, blobID: contentBlobID, lfs: nil, digest: digest)
        }
        let pointer = HFGit.lfsInfo(sha256: digest.hex, size: size)
        return HFFileEntry(path: path, size: size, blobID: pointer.pointerBlobID,
                           lfs: HFLFSInfo(sha256: digest.hex, size: size, pointerSize: pointer.pointerSize), digest: digest)
    }
}
