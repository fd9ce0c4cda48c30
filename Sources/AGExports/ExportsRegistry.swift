import AGJSON
import AGRegistry
import AGState

// Registries (include/agstate.h, "Registries"): many stores per process. Stores handed out by a registry
// are ordinary store handles whose close releases the caller's hold.

let registries = HandleTable<Registry>(kind: 0x5F, name: "registry")

/// The C struct `ags_registry_options` (field for field, same order and types).
public struct CRegistryOptions {
    var version: UInt32
    var flags: UInt32
    var budgetBytes: Int
    var ttlMilliseconds: UInt64
    var shards: Int
    var commitsPerSecond: Double
    var commitBurst: Double
    var bytesPerSecond: Double
    var bytesBurst: Double
    var maxClients: Int
    var alertErrorRate: Double
    var alertP95CommitMilliseconds: Double
    var alertMemoryShare: Double
}

let registryOptionsVersion: UInt32 = 1
let evictWithoutStorageFlag: UInt32 = 0x1
let perStoreMetricsFlag: UInt32 = 0x2
let memoryStorageFlag: UInt32 = 0x4
let registryFlags = evictWithoutStorageFlag | perStoreMetricsFlag | memoryStorageFlag

/// The defaults of `AGS_REGISTRY_OPTIONS_INIT`, from the engine's own defaults.
func defaultRegistryOptions() -> CRegistryOptions {
    let d = RegistryOptions()
    return CRegistryOptions(version: registryOptionsVersion, flags: 0, budgetBytes: d.budgetBytes == .max ? -1 : d.budgetBytes,
                            ttlMilliseconds: d.ttlMilliseconds, shards: d.shards,
                            commitsPerSecond: d.rates.commitsPerSecond, commitBurst: d.rates.commitBurst,
                            bytesPerSecond: d.rates.bytesPerSecond, bytesBurst: d.rates.bytesBurst,
                            maxClients: d.rates.maxClients, alertErrorRate: d.thresholds.errorRate,
                            alertP95CommitMilliseconds: d.thresholds.p95CommitMilliseconds,
                            alertMemoryShare: d.thresholds.memoryShare)
}

/// The engine's options from the caller's struct (NULL: the defaults); the engine checks the ranges.
func registryOptions(_ raw: UnsafeRawPointer?) throws(AGError) -> (RegistryOptions, memoryStorage: Bool) {
    let c = raw?.loadUnaligned(as: CRegistryOptions.self) ?? defaultRegistryOptions()
    guard c.version == registryOptionsVersion else {
        throw AGError(.invalidArgument, "unknown ags_registry_options version \(c.version)")
    }
    guard c.flags & ~registryFlags == 0 else {
        throw AGError(.invalidArgument, "unknown registry flags 0x\(String(c.flags & ~registryFlags, radix: 16))")
    }
    guard c.budgetBytes >= 0 || c.budgetBytes == -1, c.shards >= 0, c.maxClients >= 0 else {
        throw AGError(.invalidArgument, "a size in ags_registry_options is out of range")
    }
    var o = RegistryOptions()
    o.budgetBytes = c.budgetBytes == -1 ? .max : c.budgetBytes  // AGS_UNBOUNDED is SIZE_MAX
    o.ttlMilliseconds = c.ttlMilliseconds
    o.shards = c.shards
    o.evictWithoutStorage = c.flags & evictWithoutStorageFlag != 0
    o.perStoreMetrics = c.flags & perStoreMetricsFlag != 0
    o.rates.commitsPerSecond = c.commitsPerSecond
    o.rates.commitBurst = c.commitBurst
    o.rates.bytesPerSecond = c.bytesPerSecond
    o.rates.bytesBurst = c.bytesBurst
    o.rates.maxClients = c.maxClients
    o.thresholds.errorRate = c.alertErrorRate
    o.thresholds.p95CommitMilliseconds = c.alertP95CommitMilliseconds
    o.thresholds.memoryShare = c.alertMemoryShare
    o.limits = DefaultLimits.current
    return (o, c.flags & memoryStorageFlag != 0)
}

@_cdecl("ags_registry_options_init")
public func ags_registry_options_init(_ options: UnsafeMutableRawPointer?, _ version: UInt32) -> Int32 {
    run { () throws(AGError) in
        guard let options else { throw AGError(.invalidArgument, "options is NULL") }
        guard version == registryOptionsVersion else { throw AGError(.invalidArgument, "unknown ags_registry_options version \(version)") }
        options.storeBytes(of: defaultRegistryOptions(), as: CRegistryOptions.self)
    }
}

@_cdecl("ags_registry_open")
public func ags_registry_open(_ storage: OpaquePointer?, _ options: UnsafeRawPointer?,
                              _ registry: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    run { () throws(AGError) in
        let registry = try require(registry, "registry")
        guard storage == nil else { throw AGError(.invalidArgument, "durable storage is not available in this build: pass NULL") }
        let (engineOptions, memoryStorage) = try registryOptions(options)
        registry.pointee = try registries.insert(try Registry(loader: memoryStorage ? MemoryStoreLoader() : nil, options: engineOptions))
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
        // Not `nil` in a conditional expression: JSONValue is ExpressibleByNilLiteral, so that is JSON null.
        var start: JSONValue?
        if initial != nil || initialLength != 0 {
            start = try json(initial, initialLength, "the initial state", limits: registry.limits.json)
        }
        let hold = try registry.get(name, initial: start)
        do throws(AGError) {
            store.pointee = try stores.insert(hold.store, onRemove: { hold.release() })
        } catch {
            hold.release()
            throw error
        }
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

/// UTF-8 text from the caller, checked.
func text(_ data: CText, _ length: Int, _ what: String) throws(AGError) -> String {
    let raw = try bytes(data, length, what)
    guard let string = String(validating: raw, as: UTF8.self) else {
        throw AGError(.invalidArgument, "\(what) is not valid UTF-8")
    }
    return string
}
