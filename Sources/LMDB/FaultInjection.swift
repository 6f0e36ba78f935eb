import Synchronization

/// Makes chosen LMDB calls fail, for tests of what the engine does when storage fails.
///
/// Off unless a test arms it: each armed call costs one uncontended lock, so it stays compiled
/// in (swift-system does the same behind `ENABLE_MOCKING`; a runtime switch lets the ordinary
/// test build exercise it).
public enum FaultInjection {
    /// A call that can be made to fail.
    public enum Call: Sendable, Hashable {
        case commit
        case put
    }

    private static let armed = Mutex<[Call: (code: LMDBError.Code, remaining: Int)]>([:])
    private static let active = Atomic<Bool>(false)

    /// The next `times` calls of `call` fail with `code` (after doing nothing).
    public static func fail(_ call: Call, with code: LMDBError.Code, times: Int = 1) {
        armed.withLock { $0[call] = (code, times) }
        active.store(true, ordering: .releasing)
    }

    /// Disarms every fault.
    public static func reset() {
        armed.withLock { $0.removeAll() }
        active.store(false, ordering: .releasing)
    }

    /// The code `call` must fail with now, if it is armed.
    @usableFromInline
    static func take(_ call: Call) -> LMDBError.Code? {
        guard active.load(ordering: .acquiring) else { return nil }
        return armed.withLock { faults -> LMDBError.Code? in
            guard let (code, remaining) = faults[call], remaining > 0 else { return nil }
            faults[call] = remaining > 1 ? (code, remaining - 1) : nil
            return code
        }
    }
}
