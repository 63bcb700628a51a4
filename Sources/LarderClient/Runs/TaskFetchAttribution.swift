import Foundation
import LarderAPI
import RunModel
import Upstream

/// `larder run`'s side of fetch attribution: registers the task with its server, gives the command endpoints below the
/// task's prefix (`<server>/t/<token>`), and collects what the task was served when it ends.
///
/// Attribution never stands in the task's way: a server that is unreachable or does not know the feature gives no
/// registration, and the task runs and is recorded without `fetches`.
public struct TaskFetchAttribution: Sendable {
    /// The server's base URL as `larder run` reaches it (no trailing slash).
    public let server: String
    /// The registered task.
    public let identity: TaskIdentity
    /// What the server answered.
    public let receipt: TaskTokenReceipt

    /// A registration made earlier (``register(_:connection:warn:)`` makes one).
    public init(server: String, identity: TaskIdentity, receipt: TaskTokenReceipt) {
        self.server = server
        self.identity = identity
        self.receipt = receipt
    }

    /// The task's server URL: `<server>/t/<token>`.
    public var prefixedServer: String { server + receipt.prefix }

    /// Registers `identity` with the server of `connection`; nil (after saying why on `warn`, unless the server is
    /// simply unreachable or too old) when that fails.
    public static func register(_ identity: TaskIdentity, connection: ServerConnection,
                                warn: (String) -> Void = { _ in }) async -> TaskFetchAttribution? {
        let path = "/runs/\(ServerConnection.escape(identity.flow))/\(ServerConnection.escape(identity.run))/"
            + "\(ServerConnection.escape(identity.step))/\(ServerConnection.escape(identity.task))/fetches?attempt=\(identity.attempt)"
        do {
            let receipt: TaskTokenReceipt = try await connection.json(UpstreamRequest(url: connection.url(path), method: .post))
            return TaskFetchAttribution(server: connection.baseURL, identity: identity, receipt: receipt)
        } catch let error as ClientError {
            // 404/405: a server without attribution. No status: unreachable (the record's upload will say so).
            if let status = error.status, ![404, 405].contains(status) {
                warn("fetches are not attributed to this task: \(error.message)")
            }
            return nil
        } catch {
            warn("fetches are not attributed to this task: \(error)")
            return nil
        }
    }

    /// The command's environment: `environment` with `LARDER_SERVER` set to the task's server URL, and `HF_ENDPOINT`
    /// moved below the task's prefix when it points at this server (`<server>/hf` → `<server>/t/<token>/hf`). An
    /// `HF_ENDPOINT` that points elsewhere (or is unset) is left alone: the task's Hub traffic does not go through
    /// this server, so there is nothing to attribute.
    public func childEnvironment(_ environment: [String: String]) -> [String: String] {
        var child = environment
        child["LARDER_SERVER"] = prefixedServer
        if let endpoint = environment["HF_ENDPOINT"] {
            var trimmed = endpoint
            while trimmed.hasSuffix("/") { trimmed.removeLast() }
            if trimmed == server {
                child["HF_ENDPOINT"] = prefixedServer
            } else if trimmed.hasPrefix(server + "/") {
                child["HF_ENDPOINT"] = prefixedServer + trimmed.dropFirst(server.count)
            }
        }
        return child
    }

    /// Collects what the task was served (ending the registration); nil, after saying why on `warn`, when that fails.
    public func collect(connection: ServerConnection, warn: (String) -> Void = { _ in }) async -> TaskFetches? {
        let path = "/runs/\(ServerConnection.escape(identity.flow))/\(ServerConnection.escape(identity.run))/"
            + "\(ServerConnection.escape(identity.step))/\(ServerConnection.escape(identity.task))/fetches/\(receipt.token)"
        do {
            return try await connection.json(UpstreamRequest(url: connection.url(path), method: .delete))
        } catch let error as ClientError {
            warn("the task's fetches are not recorded: \(error.message)")
            return nil
        } catch {
            warn("the task's fetches are not recorded: \(error)")
            return nil
        }
    }
}
