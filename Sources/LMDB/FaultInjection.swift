import CLMDB
import Synchronization

/// Makes chosen LMDB calls of one environment fail, for tests of what the engine does when
/// storage fails.
///
/// Faults are armed per environment (``Environment/failNext(_:with:times:)``), so a fault armed by
/// one test never fires in another test's store, even in suites running in parallel; the API is
/// test-only (`@_spi(Testing) import LMDB`). Off unless a test arms it: each call checks one atomic
/// flag, so it stays compiled in (swift-system does the same behind `ENABLE_MOCKING`; a runtime
/// switch lets the ordinary test build exercise it).
@_spi(Testing)
public enum FaultInjection {
    /// A call that can be made to fail.
    public enum Call: Sendable, Hashable {
        case commit
        case put
    }

    /// Armed faults, by environment (the address of its `MDB_env`).
    private static let armed = Mutex<[UInt: [Call: (code: LMDBError.Code, remaining: Int)]]>([:])
    private static let active = Atomic<Bool>(false)

    static func arm(_ call: Call, in env: EnvPointer, code: LMDBError.Code, times: Int) {
        armed.withLock { $0[key(env), default: [:]][call] = (code, times) }
        active.store(true, ordering: .releasing)
    }

    static func disarm(_ env: EnvPointer) {
        guard active.load(ordering: .acquiring) else { return }
        armed.withLock { $0[key(env)] = nil }
    }

    /// The code `call` in transaction `txn` must fail with now, if it is armed for its environment.
    @usableFromInline
    static func take(_ call: Call, txn: TxnPointer) -> LMDBError.Code? {
        guard active.load(ordering: .acquiring), let env = mdb_txn_env(txn) else { return nil }
        return armed.withLock { faults -> LMDBError.Code? in
            guard let (code, remaining) = faults[key(env)]?[call], remaining > 0 else { return nil }
            faults[key(env)]?[call] = remaining > 1 ? (code, remaining - 1) : nil
            return code
        }
    }

    private static func key(_ env: EnvPointer) -> UInt { UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(env))) }
}

extension Environment {
    /// The next `times` calls of `call` in this environment fail with `code` (after doing nothing).
    @_spi(Testing)
    public func failNext(_ call: FaultInjection.Call, with code: LMDBError.Code, times: Int = 1) {
        FaultInjection.arm(call, in: env, code: code, times: times)
    }

    /// Disarms every fault of this environment.
    @_spi(Testing)
    public func clearFaults() {
        FaultInjection.disarm(env)
    }
}
