import Yams

/// A parsed YAML document with the positions of its nodes, for errors that name the line and key.
struct YAMLDocument {
    let file: String
    let root: Node?

    init(_ text: String, file: String) throws(TasklogError) {
        self.file = file
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw TasklogError(.invalidInput, "\(file) is not valid YAML: \(Self.describe(error))")
        } catch {
            throw TasklogError(.invalidInput, "\(file) is not valid YAML: \(error)")
        }
    }

    private static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            "line \(mark.line): \(problem)"
        case .duplicatedKeysInMapping(let duplicates, let context):
            "line \(context.mark.line): the key \(duplicates.joined(separator: ", ")) appears twice"
        default:
            "\(error)"
        }
    }

    func error(_ node: Node?, _ key: String, _ message: String) -> TasklogError {
        let line = node?.mark.map { " line \($0.line)" } ?? ""
        return TasklogError(.invalidInput, "\(file)\(line): \(key) \(message)")
    }

    /// The entries of a mapping node, keys as strings, in document order.
    func mapping(_ node: Node?, _ key: String) throws(TasklogError) -> [(key: String, keyNode: Node, value: Node)] {
        guard case .mapping(let mapping)? = node else { throw error(node, key, "must be a mapping") }
        var entries: [(key: String, keyNode: Node, value: Node)] = []
        for (name, value) in mapping {
            guard let text = name.scalar?.string else { throw error(name, key, "has a key that is not a string") }
            entries.append((text, name, value))
        }
        return entries
    }

    func bool(_ node: Node, _ key: String) throws(TasklogError) -> Bool {
        switch node.scalar?.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error(node, key, "must be true or false, not \(node.scalar?.string ?? "a collection")")
        }
    }

    func int(_ node: Node, _ key: String) throws(TasklogError) -> Int {
        guard let text = node.scalar?.string, let value = Int(text), value >= 0 else {
            throw error(node, key, "must be a whole number from 0, not \(node.scalar?.string ?? "a collection")")
        }
        return value
    }

    func string(_ node: Node, _ key: String) throws(TasklogError) -> String {
        guard let text = node.scalar?.string, !text.isEmpty else {
            throw error(node, key, "must be a non-empty string")
        }
        return text
    }

    /// A list of step numbers (steps count from 1).
    func steps(_ node: Node, _ key: String) throws(TasklogError) -> [Int] {
        guard case .sequence(let items) = node else { throw error(node, key, "must be a list of step numbers") }
        var result: [Int] = []
        for item in items {
            let step = try int(item, key)
            guard step >= 1 && step <= Limits.step else {
                throw error(item, key, "must hold step numbers from 1 to \(Limits.step), not \(step)")
            }
            result.append(step)
        }
        return result
    }
}
