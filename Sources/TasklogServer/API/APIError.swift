import Hummingbird
public import TasklogCore

/// An error of the JSON API: an HTTP status and the body `{"error": "<one sentence>", "code": "<code>"}`
/// (`schemas/api/error.schema.json`). The codes are the CLI's error codes, plus `bad_request` and
/// `internal`.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The HTTP status code.
    public var status: Int
    /// A stable, machine-readable code: `invalid_input`, `not_found`, `storage`, `corrupt`, …
    public var code: String
    /// One sentence: what was wrong and what to do.
    public var message: String

    public init(status: Int, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    /// The API form of an engine error: bad input is 400, a missing list, task, workflow or point
    /// is 404, a damaged store 500, a storage failure 503.
    public init(_ error: TasklogError) {
        let status =
            switch error.code {
            case .invalidInput: 400
            case .notFound: 404
            case .conflict: 409
            case .storage: 503
            default: 500
            }
        self.init(status: status, code: error.code.rawValue, message: error.message)
    }

    /// Any error, as the API reports it.
    public init(_ error: any Error) {
        switch error {
        case let error as APIError: self = error
        case let error as TasklogError: self.init(error)
        default: self.init(status: 500, code: "internal", message: "the server failed: \(error)")
        }
    }

    public var description: String { "\(status) \(code): \(message)" }

    /// The JSON body.
    public var json: JSONValue {
        ["error": .string(message), "code": .string(code)]
    }

    static func notFound(_ message: String) -> APIError {
        APIError(status: 404, code: "not_found", message: message)
    }

    static func badRequest(_ message: String) -> APIError {
        APIError(status: 400, code: "invalid_input", message: message)
    }
}
