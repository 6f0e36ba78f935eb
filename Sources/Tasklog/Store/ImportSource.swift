public import TasklogCore

/// The events of an import, read one at a time as the import writes them rather than held whole:
/// an array, or a file of exported events read a line at a time (`tasklog import`).
///
/// The import reads them inside its one write transaction, on the writer's thread, while the
/// caller waits for it; a backend that runs the transaction again (LMDB, to grow its map) reads
/// them again from the first, so ``open`` starts a new read each time.
public struct ImportSource: @unchecked Sendable {
    /// One read of the events, from the first.
    public struct Reader {
        /// The next event, `nil` after the last; a throw (a line that is not an event) refuses the
        /// import.
        public var next: () throws -> Event?
        /// Where the event last read came from, for a refusal (`"events.jsonl line 12"`).
        public var origin: () -> String

        public init(next: @escaping () throws -> Event?, origin: @escaping () -> String) {
            self.next = next
            self.origin = origin
        }
    }

    /// How many events there are, when that is known before the first is read: the import then
    /// writes only the snapshots retention would keep of them. Unknown, it writes them as appends
    /// do, and retention drops the extra ones as it goes.
    public var count: Int?
    /// How many bytes the events take as they are read (the size of their file), when that is
    /// known: the store makes room for them before the import starts
    /// (``TasklogCore/StorageBackend/reserve(_:)``) rather than when it runs out, which for LMDB
    /// means running the import again, reading every event again.
    public var size: Int?
    /// Starts a read from the first event.
    public var open: () throws -> Reader

    public init(count: Int?, size: Int? = nil, open: @escaping () throws -> Reader) {
        self.count = count
        self.size = size
        self.open = open
    }

    /// Where event `index` of an array came from, unless its caller says: `"event 3 of the import"`.
    public static let eventOfTheImport: @Sendable (Int) -> String = { "event \($0 + 1) of the import" }

    /// The events of an array; `naming` says where event `index` came from.
    public static func events(
        _ events: [Event],
        naming: @escaping (Int) -> String = eventOfTheImport
    ) -> ImportSource {
        ImportSource(count: events.count) {
            var index = -1
            return Reader(
                next: {
                    guard index + 1 < events.count else { return nil }
                    index += 1
                    return events[index]
                },
                origin: { naming(max(index, 0)) }
            )
        }
    }
}
