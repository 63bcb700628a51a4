import Foundation
import HTTPTypes
import Hummingbird
import LarderAPI
import LarderCore
import LarderStore
import Logging
import RunModel

/// `/runs`: task records and artifacts by Metaflow-style pathspec (`flow/run/step/task`).
struct RunRoutes<Context: ConnectionAwareContext>: Sendable {
    let store: BlobStore
    /// Reads merge the local store with the S3 run tier, when configured.
    let catalog: RunCatalog
    let fills: FillCoordinator
    let metrics: LarderMetrics
    let streams: BodyStreamGate
    let keepRuns: Int?
    /// Largest task record accepted (records hold bounded sample series; 16 MiB is far beyond a 10-hour task).
    static var maxRecordBytes: Int { 16 << 20 }

    func register(on router: Router<Context>) {
        router.get("/runs", use: flows)
        router.get("/runs/:flow", use: runs)
        router.get("/runs/:flow/:run", use: run)
        router.delete("/runs/:flow/:run", use: removeRun)
        router.put("/runs/:flow/:run/:step/:task/record", use: putRecord)
        router.get("/runs/:flow/:run/:step/:task/record", use: getRecord)
        router.put("/runs/:flow/:run/:step/:task/artifacts/:name", use: putArtifact)
        router.get("/runs/:flow/:run/:step/:task/artifacts/:name", use: { request, context in try await getArtifact(request, context, headOnly: false) })
        router.head("/runs/:flow/:run/:step/:task/artifacts/:name", use: { request, context in try await getArtifact(request, context, headOnly: true) })
    }

    /// The validated path names, in order.
    private func names(_ context: Context, _ fields: [String]) throws -> [String] {
        try fields.map { field in
            let raw = context.parameters.get(field) ?? ""
            guard let value = raw.removingPercentEncoding else {
                throw LarderError.invalidRequest("invalid_name", "\(field) \"\(raw.prefix(100))\" is not valid percent-encoding")
            }
            do {
                try TaskIdentity.validateName(value, field: field)
            } catch {
                throw LarderError.invalidRequest("invalid_name", "\(error)")
            }
            return value
        }
    }

    @Sendable func flows(_ request: Request, _ context: Context) async throws -> Response {
        try RouteSupport.json(FlowList(flows: try await catalog.flowSummaries()))
    }

    @Sendable func runs(_ request: Request, _ context: Context) async throws -> Response {
        let flow = try names(context, ["flow"])[0]
        let summaries = try await catalog.runSummaries(flow: flow)
        guard !summaries.isEmpty else { throw LarderError.notFound("flow_not_found", "no runs recorded for flow \(flow)") }
        return try RouteSupport.json(RunList(flow: flow, runs: summaries))
    }

    @Sendable func run(_ request: Request, _ context: Context) async throws -> Response {
        let parts = try names(context, ["flow", "run"])
        let records = try await catalog.taskRecords(flow: parts[0], run: parts[1])
        guard !records.isEmpty else { throw LarderError.notFound("run_not_found", "no tasks recorded for \(parts[0])/\(parts[1])") }
        return try RouteSupport.json(RunDocument(flow: parts[0], run: parts[1], tasks: records))
    }

    @Sendable func removeRun(_ request: Request, _ context: Context) async throws -> Response {
        let parts = try names(context, ["flow", "run"])
        if try await !store.removeRun(flow: parts[0], run: parts[1]) {
            // Not here; recorded on other nodes only? Then remove it from the run tier.
            guard let tier = catalog.tier, try await !catalog.taskRecords(flow: parts[0], run: parts[1]).isEmpty else {
                throw LarderError.notFound("run_not_found", "no tasks recorded for \(parts[0])/\(parts[1])")
            }
            try await store.queueRemoteRemoval(flow: parts[0], run: parts[1])
            tier.uploader.poke()
        }
        catalog.tier?.uploader.poke()
        return Response(status: .noContent)
    }

    @Sendable func putRecord(_ request: Request, _ context: Context) async throws -> Response {
        let parts = try names(context, ["flow", "run", "step", "task"])
        var body = try await request.body.collect(upTo: Self.maxRecordBytes)
        let data = body.readData(length: body.readableBytes) ?? Data()
        let record: TaskRecord
        do {
            record = try TaskRecord.decode(data)
        } catch {
            throw LarderError.invalidRequest("invalid_record", "the body is not a larder.task/v1 record: \(error)")
        }
        let id = record.identity
        guard [id.flow, id.run, id.step, id.task] == parts else {
            throw LarderError.invalidRequest("identity_mismatch", "the record is for \(id.pathspec), the path names \(parts.joined(separator: "/"))")
        }
        let isNewRun = try store.taskRecords(flow: id.flow, run: id.run).isEmpty
        try await store.putTaskRecord(record)
        catalog.tier?.uploader.poke()
        if isNewRun, let keepRuns {
            try await applyRetention(flow: id.flow, keep: keepRuns, logger: context.logger)
        }
        return try RouteSupport.json(TaskRecordReceipt(stored: id.pathspec), status: .created)
    }

    @Sendable func getRecord(_ request: Request, _ context: Context) async throws -> Response {
        let parts = try names(context, ["flow", "run", "step", "task"])
        let attempts = try await catalog.taskRecords(flow: parts[0], run: parts[1])
            .filter { $0.identity.step == parts[2] && $0.identity.task == parts[3] }
        let wanted = request.uri.queryParameters["attempt"].flatMap { Int($0) }
        let record = wanted.map { number in attempts.first { $0.identity.attempt == number } } ?? attempts.max { $0.identity.attempt < $1.identity.attempt }
        guard let record else {
            throw LarderError.notFound("task_not_found", "no record for \(parts.joined(separator: "/"))")
        }
        return Response(status: .ok, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: try record.encoded())))
    }

    @Sendable func putArtifact(_ request: Request, _ context: Context) async throws -> Response {
        let parts = try names(context, ["flow", "run", "step", "task", "name"])
        let mediaType = request.headers[.contentType] ?? "application/octet-stream"
        let length = request.headers[.contentLength].flatMap { Int64($0) }
        let writer: BlobWriter
        do {
            writer = try await store.makeWriter(expectedSize: length, mediaType: mediaType, source: "run:" + parts[0...3].joined(separator: "/"), pinned: true)
        } catch {
            throw LarderError.store(error)
        }
        let record: BlobRecord
        do {
            record = try await writer.write(request.body, expectedSize: length)
        } catch {
            throw LarderError.store(error)
        }
        let artifact = ArtifactReference(name: parts[4], digest: record.digest.description, size: record.size, mediaType: mediaType)
        try await store.putArtifact(artifact, flow: parts[0], run: parts[1], step: parts[2], task: parts[3])
        catalog.tier?.uploader.poke()
        return try RouteSupport.json(artifact, status: .created)
    }

    func getArtifact(_ request: Request, _ context: Context, headOnly: Bool) async throws -> Response {
        let parts = try names(context, ["flow", "run", "step", "task", "name"])
        let notFound = LarderError.notFound("artifact_not_found", "no artifact \(parts[4]) for \(parts[0...3].joined(separator: "/"))")
        guard let artifact = try await catalog.artifact(flow: parts[0], run: parts[1], step: parts[2], task: parts[3], name: parts[4]),
              let digest = BlobDigest(parsing: artifact.digest) else { throw notFound }
        if let handle = try store.open(digest) {
            return try BlobResponse.make(
                request: request, eventLoop: context.eventLoop, store: store, metrics: metrics, streams: streams, source: .stored(handle),
                length: handle.record.size, digest: digest, mediaType: artifact.mediaType, cache: nil, headOnly: headOnly)
        }
        // Recorded on another node: read it from the run tier into the local store (verified against its digest).
        guard let tier = catalog.tier else { throw notFound }
        if headOnly {
            var headers: HTTPFields = [.contentType: artifact.mediaType, .contentLength: String(artifact.size)]
            headers[.dockerContentDigest] = digest.description
            return Response(status: .ok, headers: headers, body: ResponseBody())
        }
        let upstream = try tier.blobRequest(digest)
        var fillRequest = FillCoordinator.Request(url: upstream.url, expected: digest, refName: nil)
        fillRequest.headers = upstream.headers
        fillRequest.awsSigning = upstream.awsSigning
        let (fill, started) = fills.fill(fillRequest)
        let head = try await fill.waitForHead()
        if head.contentLength == 0 { _ = try await fill.waitForCompletion() }
        store.acquireLease(id: head.blobID)
        return try BlobResponse.make(
            request: request, eventLoop: context.eventLoop, store: store, metrics: metrics, streams: streams, source: .filling(fill, head),
            length: head.contentLength, digest: digest, mediaType: artifact.mediaType, cache: head.cacheOutcome(started: started), headOnly: false)
    }

    /// Removes the oldest runs of `flow` beyond `keep`.
    private func applyRetention(flow: String, keep: Int, logger: Logger) async throws {
        for run in try await catalog.applyRetention(flow: flow, keep: keep) {
            logger.info("run removed by retention", metadata: ["flow": "\(flow)", "run": "\(run)", "keep": "\(keep)"])
        }
    }
}
