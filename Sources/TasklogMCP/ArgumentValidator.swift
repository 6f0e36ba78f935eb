import TasklogCore

/// Checks a tool's arguments against its input schema, so that the schema a client reads is the
/// rule the server applies.
///
/// It understands the part of JSON Schema the tool schemas use: `type`, `properties`, `required`,
/// `additionalProperties: false`, `enum`, `items`, `minLength`, `maxLength`, `minimum`,
/// `maximum`. Other keywords (`description`, `title`, `$schema`) are ignored.
enum ArgumentValidator {
    /// Throws an invalid-input error with one sentence naming the first problem.
    static func validate(_ arguments: JSONValue, for tool: ToolDefinition) throws(TasklogError) {
        if let problem = problem(arguments, tool.inputSchema, path: nil, tool: tool.name) {
            throw TasklogError(.invalidInput, problem)
        }
    }

    private static func problem(_ value: JSONValue, _ schema: JSONValue, path: String?, tool: String) -> String? {
        let name = path ?? "the arguments of \(tool)"
        if let type = schema["type"], !matches(value, type) {
            let wanted = (type.arrayValue ?? [type]).compactMap(\.stringValue).joined(separator: " or ")
            return
                "\(name) must be \(article(wanted)) \(wanted), not \(article(value.typeName)) \(value.typeName)\(shown(value))"
        }
        if let allowed = schema["enum"]?.arrayValue, !allowed.contains(value) {
            let names = allowed.map { $0.stringValue ?? $0.serialized() }.joined(separator: ", ")
            return "\(name) must be one of \(names), not \(value.serialized())"
        }
        switch value {
        case .string(let text):
            let count = text.unicodeScalars.count
            if let minimum = schema["minLength"]?.intValue, count < minimum {
                return minimum == 1
                    ? "\(name) must not be empty" : "\(name) must be at least \(minimum) characters long"
            }
            if let maximum = schema["maxLength"]?.intValue, count > maximum {
                return "\(name) is \(count) characters long, more than the limit of \(maximum)"
            }
        case .int, .double:
            let number = value.intValue.map(Double.init) ?? { if case .double(let d) = value { d } else { 0 } }()
            if let minimum = schema["minimum"].flatMap(numberValue), number < minimum {
                return "\(name) must be at least \(format(minimum)), not \(value.serialized())"
            }
            if let maximum = schema["maximum"].flatMap(numberValue), number > maximum {
                return "\(name) must be at most \(format(maximum)), not \(value.serialized())"
            }
        case .array(let elements):
            if let items = schema["items"] {
                for (index, element) in elements.enumerated() {
                    if let problem = problem(element, items, path: "\(path ?? "the array")[\(index)]", tool: tool) {
                        return problem
                    }
                }
            }
        case .object(let members):
            let properties = schema["properties"]?.objectValue ?? [:]
            for required in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
            where members[required] == nil {
                let type = properties[required]?["type"]?.stringValue
                return "\(tool) needs \(qualified(required, in: path))\(type.map { " (\(article($0)) \($0))" } ?? "")"
            }
            if schema["additionalProperties"] == .bool(false) {
                let unknown = members.keys.filter { properties[$0] == nil }.sorted()
                if let first = unknown.first {
                    let known = properties.keys.sorted(by: propertyOrder(schema))
                    let takes = known.isEmpty ? "takes no arguments" : "takes only \(known.joined(separator: ", "))"
                    return "\(tool) \(takes); \(qualified(first, in: path)) is not one of them"
                }
            }
            for key in members.keys.sorted(by: propertyOrder(schema)) {
                guard let property = properties[key], let member = members[key] else { continue }
                if let problem = problem(member, property, path: qualified(key, in: path), tool: tool) {
                    return problem
                }
            }
        case .null, .bool:
            break
        }
        return nil
    }

    private static func matches(_ value: JSONValue, _ type: JSONValue) -> Bool {
        let types = (type.arrayValue ?? [type]).compactMap(\.stringValue)
        return types.contains { wanted in
            switch (wanted, value) {
            case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null),
                ("integer", .int), ("number", .int), ("number", .double):
                true
            case ("integer", .double(let number)):
                number.rounded() == number && abs(number) < 9e15
            default:
                false
            }
        }
    }

    /// Properties in the order the schema lists them in `required`, then by name.
    private static func propertyOrder(_ schema: JSONValue) -> (String, String) -> Bool {
        let required = schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
        return { left, right in
            let l = required.firstIndex(of: left) ?? Int.max
            let r = required.firstIndex(of: right) ?? Int.max
            return l != r ? l < r : left < right
        }
    }

    private static func qualified(_ key: String, in path: String?) -> String {
        path.map { "\($0).\(key)" } ?? key
    }

    private static func numberValue(_ value: JSONValue) -> Double? {
        switch value {
        case .int(let number): Double(number)
        case .double(let number): number
        default: nil
        }
    }

    private static func format(_ number: Double) -> String {
        number.rounded() == number ? String(Int64(number)) : String(number)
    }

    private static func article(_ word: String) -> String {
        guard let first = word.first else { return "a" }
        return "aeiou".contains(first) ? "an" : "a"
    }

    /// A short quote of a scalar value, for the message.
    private static func shown(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): text.count <= 40 ? " \(value.serialized())" : ""
        case .int, .double, .bool: " \(value.serialized())"
        default: ""
        }
    }
}
