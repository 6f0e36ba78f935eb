import Foundation
import Testing

@testable import TasklogMCP

/// A number the SDK's decoder would change (an integer beyond 64 bits, a double that underflows
/// to 0) is refused by the transport with the request's id, before the SDK sees it.
@Suite struct AlteredNumberTests {
    func refusal(_ line: String) throws -> [String: Any]? {
        guard let data = Array(line.utf8).withUnsafeBytes({ StdioLineTransport.lineRefusal($0) }) else {
            return nil
        }
        return try JSONSerialization.jsonObject(with: data) as? [String: Any]
    }

    @Test(arguments: ["18446744073709551616", "-9223372036854775809", "1e-400", "1e400"])
    func aNumberThatWouldChangeIsRefusedWithTheRequestsID(number: String) throws {
        let line =
            #"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"TaskCreate","arguments":{"metadata":{"n":\#(number)}}}}"#
        let response = try #require(try refusal(line))
        #expect(response["id"] as? Int == 7)
        let error = try #require(response["error"] as? [String: Any])
        #expect(error["code"] as? Int == StdioLineTransport.invalidParamsCode)
        #expect((error["message"] as? String)?.contains("cannot be kept as written") == true)
    }

    @Test(arguments: ["9223372036854775807", "-9223372036854775808", "0.1", "1e-300", "0"])
    func numbersThatFitPassToTheSDK(number: String) throws {
        #expect(try refusal(#"{"jsonrpc":"2.0","id":1,"method":"x","params":{"n":\#(number)}}"#) == nil)
    }

    /// A line that is not JSON is a Parse error with id null (its id cannot be known, even when
    /// its first bytes show one); what only Tasklog's stricter parser refuses (a repeated key) is
    /// the SDK's to answer.
    @Test func aLineThatIsNotJSONIsAParseErrorWithIDNull() throws {
        let response = try #require(try refusal(#"{"jsonrpc":"2.0","id":1,"#))
        #expect(response["id"] is NSNull)
        #expect((response["error"] as? [String: Any])?["code"] as? Int == StdioLineTransport.parseErrorCode)
        #expect(try refusal(#"{"jsonrpc":"2.0","id":1,"id":1,"method":"x"}"#) == nil)
    }
}
