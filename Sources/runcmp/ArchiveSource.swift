import ArgumentParser
import Foundation
import LarderAPI
import RunArchive
import RunCompare
import RunModel

extension SourceOptions {
    /// Loads `s3://BUCKET[/PREFIX]/FLOW/RUN` straight from the run archive, with the `--s3-…` options.
    func archive(_ text: String) throws -> LoadedRun {
        guard let address = ArchivedRunAddress(parsing: text) else {
            throw RunCompareError.invalidReference("\"\(text)\" is not \(ArchivedRunAddress.form)")
        }
        if let problem = RunArchiveConfiguration.endpointProblem(s3Endpoint) { throw ValidationError(problem) }
        var configuration = RunArchiveConfiguration(location: address.location)
        configuration.endpoint = s3Endpoint
        configuration.region = s3Region
        configuration.pathStyle = s3PathStyle
        configuration.credentialsFile = s3CredentialsFile
        let runs = ArchivedRuns(configuration: configuration, credentials: S3CredentialSource(file: s3CredentialsFile))
        let records: [TaskRecord]
        do {
            records = try runs.taskRecords(flow: address.flow, run: address.run)
        } catch let failure as S3Failure {
            throw RunCompareError.server("cannot read \(address): \(failure.message)")
        }
        guard !records.isEmpty else {
            throw RunCompareError.invalidReference(
                "no tasks recorded for \(address.flow)/\(address.run) in \(address.location) (check the bucket, prefix and run id)")
        }
        let document = RunDocument(flow: address.flow, run: address.run, tasks: records)
        return LoadedRun(document: document) { _, artifact in
            // A missing or damaged artifact is reported by the comparison as unavailable, like a server's 404.
            try? runs.artifact(digest: artifact.digest)
        }
    }
}
