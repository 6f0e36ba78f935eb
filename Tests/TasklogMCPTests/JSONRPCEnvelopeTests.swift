import Foundation
import Testing

@testable import TasklogMCP

/// The walk over a JSON-RPC message's top-level members that finds its id and method.
@Suite struct JSONRPCEnvelopeTests {
    /// The id and method of each message in `text`, as written.
    static func scan(_ text: String) -> [(id: String?, method: String?)] {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { raw in
            JSONRPCEnvelope.scanAll(raw).map { envelope in
                (
                    envelope.id.map { String(decoding: bytes[$0], as: UTF8.self) },
                    envelope.method.map { String(decoding: bytes[$0], as: UTF8.self) }
                )
            }
        }
    }

    static let messages: [(String, String?, String?)] = [
        (#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"id":9,"method":"x"}}"#, "7", #""tools/call""#),
        (#" { "id" : "a\"b}" , "result" : {"content":[{"text":"id: 3 ]}"}]} } "#, #""a\"b}""#, nil),
        (#"{"method":"notifications/initialized","params":{}}"#, nil, #""notifications/initialized""#),
        (#"{"error":{"code":-32600,"message":"x"},"id":null,"jsonrpc":"2.0"}"#, "null", nil),
        (#"{"params":[[[{"id":1}]]],"id":-12}"#, "-12", nil),
    ]

    @Test(arguments: messages)
    func oneMessage(text: String, id: String?, method: String?) {
        let found = Self.scan(text)
        #expect(found.count == 1)
        #expect(found.first?.id == id)
        #expect(found.first?.method == method)
    }

    /// Elements that are not objects have no envelope.
    @Test func aBatchGivesOneEnvelopePerObject() {
        let found = Self.scan(#"[{"id":1,"method":"a"}, 5, {"id":"2","result":{}} ,{"method":"n"}]"#)
        #expect(found.map(\.id) == ["1", #""2""#, nil])
        #expect(found.map(\.method) == [#""a""#, nil, #""n""#])
    }

    /// The head of an over-long line: members before the cut are found, a value cut short is not.
    @Test func aCutMessageGivesWhatCameBeforeTheCut() {
        #expect(
            Self.scan(#"{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"arguments":{"de"#).first?.id == "42"
        )
        #expect(Self.scan(#"{"method":"tools/call","id":4"#).first?.id == nil)
        #expect(Self.scan(#"{"params":{"a":"b"#).first?.id == nil)
        #expect(Self.scan("not json").isEmpty)
        #expect(Self.scan("").isEmpty)
    }
}
