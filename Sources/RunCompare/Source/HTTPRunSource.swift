import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LarderAPI
import RunModel

/// A ``RunSource`` backed by a Larder server's `/runs` API, over URLSession.
///
/// Requests block the calling thread while a semaphore waits for the completion. Completions
/// run on the source's own serial dispatch queue (libdispatch gives such queues a thread even
/// when the shared worker pool — which on Linux also runs Swift concurrency — is fully blocked),
/// so blocking callers cannot starve them. Server errors
/// (`{"error": code, "message": text}`) become ``RunCompareError/server(_:)`` with the message.
public struct HTTPRunSource: RunSource {
    /// The server's base URL, e.g. `http://127.0.0.1:7480`.
    public let baseURL: URL
    /// Per-request timeout in seconds.
    public var timeout: TimeInterval = 60

    /// The session, delivering completions on `callbackQueue`.
    private let session: URLSession
    /// The queue under the session's delegate queue, kept here: `OperationQueue.underlyingQueue` does not retain it.
    private let callbackQueue = DispatchQueue(label: "runcmp.http-run-source")

    /// Creates a source for `baseURL`.
    public init(baseURL: URL) {
        self.baseURL = baseURL
        let callbacks = OperationQueue()
        callbacks.underlyingQueue = callbackQueue
        callbacks.maxConcurrentOperationCount = 1
        session = URLSession(configuration: .ephemeral, delegate: nil, delegateQueue: callbacks)
    }

    /// See ``RunSource/flows()``.
    public func flows() throws -> [FlowSummary] {
        try JSONDecoder().decode(FlowList.self, from: get(["runs"])).flows
    }

    /// See ``RunSource/runs(flow:)``.
    public func runs(flow: String) throws -> [RunSummary] {
        try JSONDecoder().decode(RunList.self, from: get(["runs", flow])).runs
    }

    /// See ``RunSource/run(flow:run:)``.
    public func run(flow: String, run: String) throws -> RunDocument {
        try RunDocument.decode(get(["runs", flow, run]))
    }

    /// See ``RunSource/artifact(task:artifact:)``; a 404 gives nil.
    public func artifact(task: TaskIdentity, artifact: ArtifactReference) throws -> Data? {
        do {
            return try get(["runs", task.flow, task.run, task.step, task.task, "artifacts", artifact.name])
        } catch RequestFailure.notFound {
            return nil
        }
    }

    private enum RequestFailure: Error { case notFound }

    private func get(_ components: [String]) throws -> Data {
        var url = baseURL
        for component in components { url.appendPathComponent(component) }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        let box = ResponseBox()
        let semaphore = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: request) { data, response, error in
            box.set(data: data, response: response as? HTTPURLResponse, error: error)
            semaphore.signal()
        }
        task.resume()
        semaphore.wait()
        let (data, response, error) = box.get()
        if let error {
            throw RunCompareError.server("cannot reach \(baseURL.absoluteString): \(error.localizedDescription)")
        }
        guard let response else { throw RunCompareError.server("no HTTP response from \(url.absoluteString)") }
        let body = data ?? Data()
        if response.statusCode == 404, components.contains("artifacts") { throw RequestFailure.notFound }
        guard (200..<300).contains(response.statusCode) else {
            let detail = ErrorBody.parse(body)?.message ?? String(decoding: body.prefix(200), as: UTF8.self)
            throw RunCompareError.server("GET \(url.path) failed with HTTP \(response.statusCode): \(detail)")
        }
        return body
    }
}

/// Carries a URLSession completion to the waiting thread.
///
/// `@unchecked Sendable` invariant: every stored property is read and written only while
/// holding `lock`.
private final class ResponseBox: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?
    private var response: HTTPURLResponse?
    private var error: (any Error)?

    func set(data: Data?, response: HTTPURLResponse?, error: (any Error)?) {
        lock.lock()
        defer { lock.unlock() }
        self.data = data
        self.response = response
        self.error = error
    }

    func get() -> (Data?, HTTPURLResponse?, (any Error)?) {
        lock.lock()
        defer { lock.unlock() }
        return (data, response, error)
    }
}
