/// One task of a task list, as folded from the log.
///
/// `blocks` and `blockedBy` are kept symmetric and sorted; `version` counts the events that
/// changed the task (1 after creation).
///
/// The subject, the description, the active form and the metadata are kept encoded, together,
/// in one buffer (``encodedText``, in the binary form of the event and snapshot codecs), and
/// decoded when read: a task costs one allocation, not one per string and per metadata value, and
/// the fold and the snapshot codec copy those bytes rather than decode and encode them.
public struct TaskRecord: Sendable {
    /// The task's id in its list: 1, 2, 3, … never reused.
    public var id: Int
    public var status: TaskStatus
    /// Who claimed the task.
    public var owner: String?
    /// Tasks that cannot start before this one completes.
    public var blocks: [Int]
    /// Tasks that must complete before this one can start.
    public var blockedBy: [Int]
    public var version: Int
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    /// `subject · description · active form · metadata`: two strings, an optional string and an
    /// object, as ``ByteWriter`` writes them. Checked when it was built; read without checks.
    package internal(set) var encodedText: [UInt8]

    public init(
        id: Int,
        subject: String,
        description: String = "",
        activeForm: String? = nil,
        status: TaskStatus = .pending,
        owner: String? = nil,
        blocks: [Int] = [],
        blockedBy: [Int] = [],
        metadata: [String: JSONValue] = [:],
        version: Int = 1,
        createdAt: Timestamp,
        updatedAt: Timestamp
    ) {
        self.init(
            id: id,
            encodedText: Self.encodeText(subject, description, activeForm, metadata),
            status: status,
            owner: owner,
            blocks: blocks,
            blockedBy: blockedBy,
            version: version,
            createdAt: createdAt,
            updatedAt: updatedAt
        )
    }

    /// A record whose text is already encoded, and checked (``ByteReader/taskStrings()`` and
    /// ``ByteReader/objectRange()`` read the two parts of it in a stored event or snapshot).
    package init(
        id: Int,
        encodedText: [UInt8],
        status: TaskStatus = .pending,
        owner: String? = nil,
        blocks: [Int] = [],
        blockedBy: [Int] = [],
        version: Int = 1,
        createdAt: Timestamp,
        updatedAt: Timestamp
    ) {
        self.id = id
        self.encodedText = encodedText
        self.status = status
        self.owner = owner
        self.blocks = blocks
        self.blockedBy = blockedBy
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The encoded text of a task from its two parts in a stored event or snapshot: the strings
    /// (``ByteReader/taskStrings()``) and the metadata (``ByteReader/objectRange()``), both checked.
    package static func encodedText(strings: UnsafeRawBufferPointer, metadata: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: strings.count + metadata.count) { buffer, count in
            let base = UnsafeMutableRawPointer(buffer.baseAddress!)
            if !strings.isEmpty { base.copyMemory(from: strings.baseAddress!, byteCount: strings.count) }
            if !metadata.isEmpty {
                (base + strings.count).copyMemory(from: metadata.baseAddress!, byteCount: metadata.count)
            }
            count = strings.count + metadata.count
        }
    }

    public var subject: String {
        get { reading { reader throws(CodecError) in try reader.string() } }
        set { replaceText { $0.subject = newValue } }
    }

    public var description: String {
        get {
            reading { reader throws(CodecError) in
                try Self.skip(strings: 1, &reader)
                return try reader.string()
            }
        }
        set { replaceText { $0.description = newValue } }
    }

    /// The present-continuous form shown while the task runs ("Running tests").
    public var activeForm: String? {
        get {
            reading { reader throws(CodecError) in
                try Self.skip(strings: 2, &reader)
                return try reader.optionalString()
            }
        }
        set { replaceText { $0.activeForm = newValue } }
    }

    /// Free JSON object; `workflow`, `step`, `milestone`, `phase` and `parallel_group` are typed.
    public var metadata: [String: JSONValue] {
        get {
            reading { reader throws(CodecError) in
                try Self.skipStrings(&reader)
                return try reader.object()
            }
        }
        set { replaceText { $0.metadata = newValue } }
    }

    /// The metadata's value for `key`, found in the encoded metadata without decoding the rest.
    public func metadata(_ key: String) -> JSONValue? {
        reading { reader throws(CodecError) in
            try Self.skipStrings(&reader)
            return try reader.value(forKey: key)
        }
    }

    /// Where the metadata starts in ``encodedText``.
    package var metadataOffset: Int {
        reading { reader throws(CodecError) in
            try Self.skipStrings(&reader)
            return reader.offset
        }
    }

    // MARK: The encoded text

    private struct Text {
        var subject: String
        var description: String
        var activeForm: String?
        var metadata: [String: JSONValue]
    }

    private var text: Text {
        reading { reader throws(CodecError) in
            Text(
                subject: try reader.string(),
                description: try reader.string(),
                activeForm: try reader.optionalString(),
                metadata: try reader.object()
            )
        }
    }

    private mutating func replaceText(_ change: (inout Text) -> Void) {
        var text = self.text
        change(&text)
        encodedText = Self.encodeText(text.subject, text.description, text.activeForm, text.metadata)
    }

    /// Reads ``encodedText``, which was checked when it was built: a failure here is a bug.
    private func reading<Result>(_ body: (inout ByteReader) throws(CodecError) -> Result) -> Result {
        encodedText.withUnsafeBytes { bytes in
            var reader = ByteReader(bytes)
            do {
                return try body(&reader)
            } catch {
                preconditionFailure("a task's encoded text, checked when it was built, does not read: \(error)")
            }
        }
    }

    /// Steps over the subject, the description and the active form, unchecked.
    private static func skipStrings(_ reader: inout ByteReader) throws(CodecError) {
        try skip(strings: 2, &reader)
        try reader.skipOptionalString()
    }

    /// Steps over the first `count` strings (the subject, then the description), unchecked.
    private static func skip(strings count: Int, _ reader: inout ByteReader) throws(CodecError) {
        for _ in 0..<count { try reader.skip(try reader.count(limit: Int.max)) }
    }

    private static func encodeText(
        _ subject: String,
        _ description: String,
        _ activeForm: String?,
        _ metadata: [String: JSONValue]
    ) -> [UInt8] {
        var writer = ByteWriter(capacity: subject.utf8.count + description.utf8.count + 16)
        writer.string(subject)
        writer.string(description)
        writer.optionalString(activeForm)
        writer.object(metadata)
        return writer.bytes
    }
}

extension TaskRecord: Hashable {
    /// Equal tasks have equal fields; encoded texts that differ in bytes may still be equal (a
    /// string in another Unicode normalization, `-0.0` against `0.0`), so they are then compared
    /// decoded.
    public static func == (lhs: TaskRecord, rhs: TaskRecord) -> Bool {
        lhs.id == rhs.id && lhs.status == rhs.status && lhs.owner == rhs.owner && lhs.version == rhs.version
            && lhs.createdAt == rhs.createdAt && lhs.updatedAt == rhs.updatedAt && lhs.blocks == rhs.blocks
            && lhs.blockedBy == rhs.blockedBy
            && (lhs.encodedText == rhs.encodedText
                || (lhs.subject == rhs.subject && lhs.description == rhs.description
                    && lhs.activeForm == rhs.activeForm && lhs.metadata == rhs.metadata))
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(status)
        hasher.combine(owner)
        hasher.combine(version)
        hasher.combine(createdAt)
        hasher.combine(updatedAt)
        hasher.combine(blocks)
        hasher.combine(blockedBy)
        let text = self.text
        hasher.combine(text.subject)
        hasher.combine(text.description)
        hasher.combine(text.activeForm)
        hasher.combine(text.metadata)
    }
}
