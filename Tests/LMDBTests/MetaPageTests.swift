import Testing

@testable import LMDB

/// The rules `StoreFiles` applies to LMDB's two meta pages and the file's size.
@Suite struct MetaPageTests {
    static func meta(_ transaction: UInt64, lastPage: UInt64 = 10, pageSize: UInt32 = 4096) -> StoreFiles.Meta {
        StoreFiles.Meta(pageSize: pageSize, lastPage: lastPage, transaction: transaction)
    }

    @Test(
        "Transaction ids one apart, either way round, or both 0 before the first commit",
        arguments: [
            (UInt64(0), UInt64(0)), (0, 1), (2, 1), (41, 42), (1_000_001, 1_000_000),
        ]
    )
    func agreeingPairs(first: UInt64, second: UInt64) {
        #expect(StoreFiles.problem(Self.meta(first), Self.meta(second), size: 11 * 4096) == nil)
    }

    @Test(
        "A pair not one apart is damage: a flipped bit in either id",
        arguments: [
            (UInt64(41), UInt64(42 | 1 << 17)), (UInt64(41 | 1 << 40), UInt64(42)), (5, 5), (3, 0), (.max, 0),
        ]
    )
    func disagreeingPairs(first: UInt64, second: UInt64) throws {
        let problem = try #require(StoreFiles.problem(Self.meta(first), Self.meta(second), size: 11 * 4096))
        #expect(problem.contains("not one apart"))
    }

    @Test func aFileShorterThanItsPagesIsTruncated() throws {
        #expect(StoreFiles.problem(Self.meta(6), Self.meta(7, lastPage: 24), size: 25 * 4096) == nil)
        let problem = try #require(StoreFiles.problem(Self.meta(6), Self.meta(7, lastPage: 24), size: 25 * 4096 - 1))
        #expect(problem.contains("truncated"))
        // The older page's count does not matter: LMDB reads the newer one.
        #expect(StoreFiles.problem(Self.meta(8, lastPage: 99), Self.meta(7, lastPage: 24), size: 25 * 4096) != nil)
        #expect(StoreFiles.problem(Self.meta(6, lastPage: 99), Self.meta(7, lastPage: 24), size: 25 * 4096) == nil)
        #expect(StoreFiles.problem(Self.meta(6), Self.meta(7, lastPage: .max), size: 1 << 40) != nil)
    }

    @Test func aPageSizeThatIsNotAPowerOfTwoIsDamage() {
        #expect(StoreFiles.problem(Self.meta(6, pageSize: 4097), Self.meta(7), size: 1 << 20) != nil)
    }
}
