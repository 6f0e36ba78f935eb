import Foundation
import MCP
import TasklogCore

/// The lines the transport answers itself, without handing them to the SDK.
extension StdioLineTransport {
    /// The error response to a line longer than `limit`: Invalid Request, with the request's id when
    /// the line's first bytes show it (else `null`, as JSON-RPC says for a request whose id is unknown).
    static func overlongLineError(length: Int, head: [UInt8], limit: Int) -> Data {
        let message =
            "the message is \(length) bytes long, more than the limit of \(limit) bytes for one line; "
            + "it was discarded unread: send smaller messages"
        return head.withUnsafeBytes { refusal(of: $0, code: overlongLineCode, message: message) }
    }

    /// The error response the transport gives itself to a line that the SDK would pass on altered
    /// or answer with a made-up id, or `nil` for a line to hand to the SDK:
    /// - a number that JSON's readers would change (an integer beyond 64 bits, rounded to a double,
    ///   or a number too small for a double, read as 0): Invalid params, as the CLI refuses it;
    /// - a line that is not JSON at all: Parse error, with `"id": null` (JSON-RPC 2.0, 5.1: the id
    ///   cannot be known), where the SDK would answer with a random id;
    /// - JSON that is neither an object nor a non-empty array (`42`, `"x"`, `[]`): Invalid Request,
    ///   with `"id": null` for the same reason.
    static func lineRefusal(_ line: UnsafeRawBufferPointer) -> Data? {
        do throws(JSONParseError) {
            switch try JSONValue(parsing: line) {
            case .object: return nil
            case .array(let elements) where !elements.isEmpty: return nil
            default:
                let message = "a JSON-RPC message is an object (or a non-empty array of them); send one per line"
                return refusal(
                    of: UnsafeRawBufferPointer(start: nil, count: 0),
                    code: overlongLineCode,
                    message: message
                )
            }
        } catch {
            if error.isNumberOutOfRange {
                let message =
                    "a number in the message cannot be kept as written (\(error.message)); "
                    + "send it as a string, or within 64-bit integers and doubles"
                return refusal(of: line, code: invalidParamsCode, message: message)
            }
            // Tasklog's parser is stricter than the SDK's (a repeated key, deep nesting): only what no
            // JSON reader takes is a parse error here; the rest is the SDK's to answer.
            guard (try? JSONSerialization.jsonObject(with: Data(line), options: [.fragmentsAllowed])) == nil else {
                return nil
            }
            let message = "the message is not valid JSON (\(error)); send one JSON-RPC message per line"
            return refusal(of: UnsafeRawBufferPointer(start: nil, count: 0), code: parseErrorCode, message: message)
        }
    }

    /// The JSON-RPC error code of a line that is not JSON: Parse error.
    static let parseErrorCode = -32700

    /// The JSON-RPC error code of a message with a number out of range: Invalid params.
    static let invalidParamsCode = -32602

    /// An error response to the request whose first bytes are `head`, by its id when they show it.
    private static func refusal(of head: UnsafeRawBufferPointer, code: Int, message: String) -> Data {
        var id: ID?
        if let range = JSONRPCEnvelope.scan(head).id, !JSONRPCEnvelope.bytes(head, in: range, equal: "null") {
            id = try? JSONDecoder().decode(ID.self, from: Data(head[range]))
        }
        let response = ErrorResponse(id: id, error: .init(code: code, message: message))
        // Encoding a struct of strings and integers cannot fail.
        return (try? JSONEncoder().encode(response)) ?? Data()
    }

    /// `{"jsonrpc":"2.0","id":…,"error":{"code":…,"message":…}}`, with `"id":null` when unknown.
    private struct ErrorResponse: Encodable {
        struct Failure: Encodable {
            var code: Int
            var message: String
        }

        var id: ID?
        var error: Failure

        enum CodingKeys: String, CodingKey {
            case jsonrpc, id, error
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode("2.0", forKey: .jsonrpc)
            try container.encode(id, forKey: .id)
            try container.encode(error, forKey: .error)
        }
    }
}
