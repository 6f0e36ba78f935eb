import TasklogTestSupport
import Testing

@testable import TasklogCore

/// The dense task table against the dictionary it replaced: the same tasks under the same ids,
/// walked in id order, whatever ids come and in whatever order.
@Suite struct TaskTableTests {
    static func task(_ id: Int, version: Int = 1) -> TaskRecord {
        TaskRecord(
            id: id,
            subject: "#\(id)",
            version: version,
            createdAt: Timestamp(rawValue: 0),
            updatedAt: Timestamp(rawValue: 0)
        )
    }

    /// Ids mostly next in line, as a list issues them, with far and negative ones mixed in.
    static func randomID(after highest: Int, _ random: inout SeededRandom) -> Int {
        switch Int.random(in: 0..<20, using: &random) {
        case 0: -Int.random(in: 0...5, using: &random)
        case 1: highest + Int.random(in: 100...100_000, using: &random)
        case 2: Int.random(in: 1...Swift.max(1, highest), using: &random)
        case 3: Int.max - Int.random(in: 0...3, using: &random)
        default: highest + 1
        }
    }

    @Test(arguments: 1...12)
    func holdsWhatADictionaryHolds(seed: Int) throws {
        var random = SeededRandom(seed: UInt64(seed) &* 6_700_417)
        var table = TaskTable()
        var expected: [Int: TaskRecord] = [:]
        var highest = 0
        for step in 0..<2_000 {
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<6:
                let id = Self.randomID(after: highest, &random)
                if id > 0 && id < Int.max - 3 { highest = Swift.max(highest, id) }
                table[id] = Self.task(id, version: step)
                expected[id] = Self.task(id, version: step)
            case 6..<8:
                let id = expected.keys.randomElement(using: &random) ?? 1
                #expect(table.remove(id) == expected.removeValue(forKey: id))
            case 8:
                let id = expected.keys.randomElement(using: &random) ?? 1
                let changed = table.modify(id) { task -> Int in
                    task.version += 1
                    return task.version
                }
                expected[id]?.version += 1
                #expect(changed == expected[id]?.version)
            default:
                let id = Self.randomID(after: highest, &random)
                #expect(table[id] == expected[id])
                #expect(table.contains(id) == (expected[id] != nil))
            }
            #expect(table.count == expected.count)
        }
        #expect(Array(table) == expected.keys.sorted().map { expected[$0]! }, "walked in id order")
        #expect(table.ids == expected.keys.sorted())
        #expect(table.isEmpty == expected.isEmpty)
    }

    @Test func equalTablesAreEqualHoweverTheyAreLaidOut() {
        // 1…3 in id order; then the same tasks with 3 put in first, too far for the dense range,
        // so that it is kept apart until the range grows over it.
        var inOrder = TaskTable()
        for id in 1...3 { inOrder[id] = Self.task(id) }
        var outOfOrder = TaskTable()
        outOfOrder[200] = Self.task(200)
        outOfOrder[200] = nil
        outOfOrder[3] = Self.task(3)
        outOfOrder[1] = Self.task(1)
        outOfOrder[2] = Self.task(2)
        #expect(inOrder == outOfOrder)
        #expect(inOrder.hashValue == outOfOrder.hashValue)
        #expect(Array(outOfOrder).map(\.id) == [1, 2, 3])

        outOfOrder[2] = Self.task(2, version: 2)
        #expect(inOrder != outOfOrder)
        outOfOrder[2] = nil
        #expect(inOrder != outOfOrder)
        #expect(outOfOrder.count == 2)
    }

    @Test func aFarIdDoesNotMakeTheTableAllocateForTheIdsBelowIt() {
        var table = TaskTable()
        table[1_000_000_000] = Self.task(1_000_000_000)
        table[Int.max] = Self.task(Int.max)
        table[-5] = Self.task(-5)
        #expect(table.count == 3)
        #expect(table.ids == [-5, 1_000_000_000, Int.max])
        #expect(table.modify(Int.max) { $0.id } == Int.max)
        #expect(table.modify(7) { $0.id } == nil)
        #expect(table.remove(1_000_000_000)?.id == 1_000_000_000)
        #expect(table.ids == [-5, Int.max])
    }

    @Test func theDenseRangeGrowsOverTasksKeptApart() {
        var table = TaskTable()
        table[100] = Self.task(100)  // the first task starts the dense range
        for id in 1...98 { table[id] = Self.task(id) }  // below it: kept apart
        table[100] = Self.task(100, version: 5)
        #expect(table.count == 99, "replaced, not added twice")
        table[99] = Self.task(99)
        table[101] = Self.task(101)
        #expect(table.count == 101)
        #expect(table.ids == Array(1...101))
        #expect(table[100]?.version == 5)
        #expect(table.slotCount == 2)

        var gaps = TaskTable()
        gaps[1] = Self.task(1)
        gaps[60] = Self.task(60)  // 58 holes: within the slack
        gaps[1_000] = Self.task(1_000)  // 939 more, for 2 tasks: kept apart
        gaps[61] = Self.task(61)
        #expect(gaps.slotCount == 61)
        #expect(gaps.ids == [1, 60, 61, 1_000])
    }

    /// A list whose old tasks were deleted does not keep paying for them: the table is laid out
    /// again from its lowest live id once its holes are twice its tasks.
    @Test func deletedTasksDoNotKeepTheirSlots() {
        var table = TaskTable()
        for id in 1...10_000 { table[id] = Self.task(id) }
        for id in 1...9_990 { table.remove(id) }
        #expect(table.count == 10)
        #expect(table.slotCount <= 3 * 10 + 64, "\(table.slotCount) slots for 10 tasks")
        #expect(table.ids == Array(9_991...10_000))
        table[10_001] = Self.task(10_001)
        #expect(table.ids == Array(9_991...10_001))
        for id in 9_991...10_001 { table.remove(id) }
        #expect(table.isEmpty)
        #expect(table.slotCount <= 64)
    }

    /// A list read from a snapshot is dense from its lowest live id, whatever was deleted below.
    @Test func aListReadFromASnapshotIsDenseFromItsLowestTask() throws {
        var list = TaskListState()
        for id in 1...300 { Reducer.insert(created: Self.task(id), into: &list) }
        for id in 1...100 { list.tasks.remove(id) }
        var writer = ByteWriter()
        SnapshotCodec.writeList(list, to: &writer)
        let read = try writer.bytes.withUnsafeBytes { bytes in
            var reader = ByteReader(bytes)
            return try SnapshotCodec.readList(&reader, format: SnapshotCodec.format)
        }
        #expect(read == list)
        #expect(read.tasks.slotCount == 200)
        #expect(read.tasks.ids == Array(101...300))
    }
}
