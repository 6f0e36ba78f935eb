/// A JSON document or fragment, as defined by RFC 8259.
///
/// Integers that fit in `Int64` are kept apart from other numbers so that identifiers and counters survive a round
/// trip exactly. Parsing is strict (see ``init(parsing:)-(String)``), and ``serialized(pretty:)`` is deterministic:
/// object keys are written in the order of their UTF-8 bytes.
public enum JSONValue: Sendable, Hashable {
    /// The `null` literal.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number written without a fraction or an exponent that fits in `Int64`.
    case int(Int64)
    /// Any other number. Parsing never produces NaN or an infinity.
    case double(Double)
    /// A string of Unicode scalars.
    case string(String)
    /// An ordered list of values.
    case array([JSONValue])
    /// A set of members with unique keys.
    case object([String: JSONValue])
}

// MARK: Accessors

extension JSONValue {
    /// The member named `key` when this is an object holding it, otherwise nil.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self {
            return members[key]
        }
        return nil
    }

    /// The string when this is a ``string(_:)``, otherwise nil.
    public var stringValue: String? {
        if case .string(let value) = self {
            return value
        }
        return nil
    }

    /// The integer when this is an ``int(_:)``, otherwise nil (a ``double(_:)`` is never converted).
    public var intValue: Int64? {
        if case .int(let value) = self {
            return value
        }
        return nil
    }

    /// The Boolean when this is a ``bool(_:)``, otherwise nil.
    public var boolValue: Bool? {
        if case .bool(let value) = self {
            return value
        }
        return nil
    }

    /// The members when this is an ``object(_:)``, otherwise nil.
    public var objectValue: [String: JSONValue]? {
        if case .object(let members) = self {
            return members
        }
        return nil
    }

    /// The elements when this is an ``array(_:)``, otherwise nil.
    public var arrayValue: [JSONValue]? {
        if case .array(let elements) = self {
            return elements
        }
        return nil
    }

    /// The kind of value for messages: `null`, `boolean`, `integer`, `number`, `string`, `array` or `object`.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}
