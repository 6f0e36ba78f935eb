import Foundation
import MCP

extension StdioLineTransport {
    /// The error response to a line longer than `limit`: Invalid Request, with the request's id when
    /// the line's first bytes show it (else `null`, as JSON-RPC says for a request whose id is unknown).
    static func overlongLineError(length: Int, head: [UInt8], limit: Int) -> Data {
        let id = head.withUnsafeBytes { bytes -> ID? in
            guard let range = JSONRPCEnvelope.scan(bytes).id,
                !JSONRPCEnvelope.bytes(bytes, in: range, equal: "null")
            else { return nil }
            return try? JSONDecoder().decode(ID.self, from: Data(bytes[range]))
        }
        let message =
            "the message is \(length) bytes long, more than the limit of \(limit) bytes for one line; "
            + "it was discarded unread: send smaller messages"
        let response = OverlongLineResponse(id: id, error: .init(code: overlongLineCode, message: message))
        // Encoding a struct of strings and integers cannot fail.
        return (try? JSONEncoder().encode(response)) ?? Data()
    }

    /// `{"jsonrpc":"2.0","id":…,"error":{"code":…,"message":…}}`, with `"id":null` when unknown.
    private struct OverlongLineResponse: Encodable {
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
