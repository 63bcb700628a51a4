import Foundation
import Hummingbird
import LarderAPI
import LarderCore

/// `POST /warm` (start a job, optionally from what a run fetched: `fromRun`; 202 with its id) and `GET /warm/<id>` (its progress), `GET /warm` (all jobs).
struct WarmRoutes<Context: ConnectionAwareContext>: Sendable {
    let mirror: HFMirror
    /// The runs `fromRun` reads (nil: `fromRun` is refused).
    var runs: RunCatalog? = nil

    func register(on router: Router<Context>) {
        router.post("/warm") { request, _ in
            let body = try await request.body.collect(upTo: 4 << 20)
            var warmRequest: WarmRequest
            do {
                warmRequest = try JSONDecoder().decode(WarmRequest.self, from: Data(body.readableBytesView))
            } catch {
                throw LarderError.invalidRequest("invalid_warm_request",
                                             "expected a JSON list of references, or {\"refs\": [...], \"pin\": bool, \"concurrency\": n}: \(error)")
            }
            if warmRequest.fromRun != nil {
                guard let runs else { throw LarderError.invalidRequest("invalid_warm_request", "this server keeps no runs to warm from") }
                warmRequest = try await RunWarmReferences.expand(warmRequest, catalog: runs)
            }
            guard !warmRequest.refs.isEmpty, warmRequest.refs.count <= 10_000 else {
                throw LarderError.invalidRequest("invalid_warm_request", "give between 1 and 10000 references")
            }
            let job = mirror.startWarm(warmRequest)
            var response = try RouteSupport.json(job.status, status: .accepted)
            response.headers[.location] = "/warm/\(job.id)"
            return response
        }
        router.get("/warm") { _, _ in
            try RouteSupport.json(mirror.warmJobs.all)
        }
        router.get("/warm/:id") { _, context in
            let id = context.parameters.get("id") ?? ""
            guard let job = mirror.warmJobs.job(id) else {
                throw LarderError.notFound("warm_job_not_found", "no warm job \(id.prefix(100)) (jobs are kept until 100 newer ones finished or the server restarts)")
            }
            return try RouteSupport.json(job.status)
        }
    }
}
