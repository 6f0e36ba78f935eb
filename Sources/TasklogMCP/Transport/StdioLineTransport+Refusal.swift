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

    /// The error response to a message holding a number that JSON's readers would change: an
    /// integer beyond 64 bits (rounded to a double) or a number too small for a double (read as
    /// 0). The SDK would pass either on silently altered; it is refused, as the CLI refuses it, or
    /// `nil` when the line holds no such number.
    static func alteredNumberError(_ line: UnsafeRawBufferPointer) -> Data? {
        do throws(JSONParseError) {
            _ = try JSONValue(parsing: line)
            return nil
        } catch {
            guard error.isNumberOutOfRange else { return nil }  // other faults are the SDK's to answer
            let message =
                "a number in the message cannot be kept as written (\(error.message)); "
                + "send it as a string, or within 64-bit integers and doubles"
            return refusal(of: line, code: invalidParamsCode, message: message)
        }
    }

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
