import AGJSON
import AGRegistry
import AGState
import AGStorage
import CAgstateHeader

// Registries (include/agstate.h, "Registries"): many stores per process. Stores handed out by a registry
// are ordinary store handles whose close releases the caller's hold.

let registries = HandleTable<Registry>(kind: 0x5F, name: "registry")

/// AGS_UNBOUNDED (SIZE_MAX) as Swift reads a size_t.
let unbounded = -1
let evictWithoutStorageFlag = AGS_REGISTRY_EVICT_WITHOUT_STORAGE.rawValue
let perStoreMetricsFlag = AGS_REGISTRY_PER_STORE_METRICS.rawValue
let memoryStorageFlag = AGS_REGISTRY_MEMORY_STORAGE.rawValue

/// The defaults of `AGS_REGISTRY_OPTIONS_INIT`, from the engine's own defaults (a test checks the two agree).
let defaultRegistryOptions: ags_registry_options = {
    let d = RegistryOptions()
    return ags_registry_options(version: UInt32(AGS_REGISTRY_OPTIONS_VERSION), flags: 0,
                                budget_bytes: d.budgetBytes == .max ? unbounded : d.budgetBytes,
                                ttl_ms: d.ttlMilliseconds, shards: d.shards,
                                commits_per_second: d.rates.commitsPerSecond, commit_burst: d.rates.commitBurst,
                                bytes_per_second: d.rates.bytesPerSecond, bytes_burst: d.rates.bytesBurst,
                                max_clients: d.rates.maxClients, alert_error_rate: d.thresholds.errorRate,
                                alert_p95_commit_ms: d.thresholds.p95CommitMilliseconds,
                                alert_memory_share: d.thresholds.memoryShare)
}()

/// The engine's options from the caller's struct (NULL: the defaults); the engine checks the ranges.
func registryOptions(_ pointer: UnsafePointer<ags_registry_options>?) throws(AGError) -> (RegistryOptions, memoryStorage: Bool) {
    let c = try readOptions(pointer, defaultRegistryOptions, current: AGS_REGISTRY_OPTIONS_VERSION, "ags_registry_options")
    try checkFlags(c.flags, evictWithoutStorageFlag | perStoreMetricsFlag | memoryStorageFlag)
    var o = RegistryOptions()
    o.budgetBytes = c.budget_bytes == unbounded ? .max : c.budget_bytes
    o.ttlMilliseconds = c.ttl_ms
    guard c.budget_bytes >= 0 || c.budget_bytes == unbounded, c.shards >= 0, c.max_clients >= 0 else {
        throw AGError(.invalidArgument, "a size in ags_registry_options is out of range")
    }
    o.shards = c.shards
    o.evictWithoutStorage = c.flags & evictWithoutStorageFlag != 0
    o.perStoreMetrics = c.flags & perStoreMetricsFlag != 0
    o.rates.commitsPerSecond = c.commits_per_second
    o.rates.commitBurst = c.commit_burst
    o.rates.bytesPerSecond = c.bytes_per_second
    o.rates.bytesBurst = c.bytes_burst
    o.rates.maxClients = c.max_clients
    o.thresholds.errorRate = c.alert_error_rate
    o.thresholds.p95CommitMilliseconds = c.alert_p95_commit_ms
    o.thresholds.memoryShare = c.alert_memory_share
    o.limits = DefaultLimits.current
    return (o, c.flags & memoryStorageFlag != 0)
}

@_cdecl("ags_registry_options_init")
public func ags_registry_options_init(_ options: UnsafeMutablePointer<ags_registry_options>?, _ version: UInt32) -> Int32 {
    initOptions(options, version, defaultRegistryOptions, current: AGS_REGISTRY_OPTIONS_VERSION, "ags_registry_options")
}

@_cdecl("ags_registry_open")
public func ags_registry_open(_ storage: OpaquePointer?, _ options: UnsafePointer<ags_registry_options>?,
                              _ registry: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    run { () throws(AGError) in
        let registry = try require(registry, "registry")
        let (engineOptions, memoryStorage) = try registryOptions(options)
        let loader = try registryLoader(storage, memoryStorage: memoryStorage)
        registry.pointee = try registries.insert(try Registry(loader: loader, options: engineOptions))
    }
}

@_cdecl("ags_registry_close")
public func ags_registry_close(_ handle: OpaquePointer?) {
    guard let registry = try? registries.object(handle) else { return }
    registries.remove(handle)
    registry.close()
}

@_cdecl("ags_registry_get")
public func ags_registry_get(_ handle: OpaquePointer?, _ id: CText, _ idLength: Int, _ initial: CText, _ initialLength: Int,
                             _ store: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    run { () throws(AGError) in
        let store = try require(store, "store")
        let registry = try registries.object(handle)
        let name = try text(id, idLength, "the store id")
        let start = try optionalJSON(initial, initialLength, "the initial state", limits: registry.limits.json)
        store.pointee = try storeHandle(for: try registry.get(name, initial: start))
    }
}

/// Where a registry's stores come from: the caller's storage, process memory, or nowhere.
func registryLoader(_ storage: OpaquePointer?, memoryStorage: Bool) throws(AGError) -> (any StoreLoader)? {
    if let storage {
        guard !memoryStorage else { throw AGError(.invalidArgument, "AGS_REGISTRY_MEMORY_STORAGE with a storage: choose one") }
        return StorageLoader(try storages.object(storage))
    }
    return memoryStorage ? MemoryStoreLoader() : nil
}

/// The caller's JSON text, or nil for NULL with length 0. (Not `nil` in a conditional expression:
/// JSONValue is ExpressibleByNilLiteral, so that would be JSON null.)
func optionalJSON(_ data: CText, _ length: Int, _ what: String, limits: JSONLimits) throws(AGError) -> JSONValue? {
    if data == nil && length == 0 { return nil }
    return try json(data, length, what, limits: limits)
}

/// A store handle whose close releases `hold`; the hold is released at once when no handle can be made.
func storeHandle(for hold: Registry.Hold) throws(AGError) -> OpaquePointer {
    do {
        return try stores.insert(hold.store, onRemove: { hold.release() })
    } catch {
        hold.release()
        throw error
    }
}

@_cdecl("ags_registry_sweep")
public func ags_registry_sweep(_ handle: OpaquePointer?, _ evicted: UnsafeMutablePointer<Int>?) -> Int32 {
    run { () throws(AGError) in
        let count = try registries.object(handle).sweep()
        evicted?.pointee = count
    }
}

@_cdecl("ags_registry_limit")
public func ags_registry_limit(_ handle: OpaquePointer?, _ id: Int32, _ newValue: Int64,
                               _ oldValue: UnsafeMutablePointer<Int64>?) -> Int32 {
    run { () throws(AGError) in
        let old = try registries.object(handle).exchangeLimit(try limitID(id), newValue < 0 ? nil : newValue)
        oldValue?.pointee = old
    }
}

@_cdecl("ags_registry_stats")
public func ags_registry_stats(_ handle: OpaquePointer?, _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        try write(try registries.object(handle).statistics.json, SerializeOptions(), out, outLength)
    }
}

@_cdecl("ags_registry_health")
public func ags_registry_health(_ handle: OpaquePointer?, _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        try write(try registries.object(handle).health(), SerializeOptions(), out, outLength)
    }
}

@_cdecl("ags_metrics_text")
public func ags_metrics_text(_ handle: OpaquePointer?, _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        try write(bytes: Array(try registries.object(handle).metricsText().utf8), out, outLength)
    }
}

@_cdecl("ags_metrics_json")
public func ags_metrics_json(_ handle: OpaquePointer?, _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        try write(try registries.object(handle).metricsJSON(), SerializeOptions(), out, outLength)
    }
}
