import AGCore
import AGJSON
import AGState

/// Token buckets per client id: one for commits, one for input bytes. A commit takes one commit token
/// and as many byte tokens as its input has bytes; when either bucket is short, it is refused with
/// `rateLimited` and the time until both would suffice, and takes nothing.
///
/// Buckets live in shards by client id; each shard keeps at most `maxClients / shards` buckets and, past
/// that, drops the least recently seen (a dropped client starts again with full buckets, which is what an
/// idle client would have had anyway after a second or so).
final class RateLimiter: @unchecked Sendable {
    private struct Bucket {
        var commits: Double
        var bytes: Double
        var updated: UInt64  // monotonic ns of the last refill
    }

    private final class Shard: @unchecked Sendable {
        let lock = Lock()
        var buckets: [String: Bucket] = [:]
    }

    private let limits: RateLimits
    private let commitCapacity: Double
    private let byteCapacity: Double
    private let shards: [Shard]
    private let perShard: Int

    init(_ limits: RateLimits, shards count: Int) {
        self.limits = limits
        commitCapacity = limits.commitBurst > 0 ? limits.commitBurst : max(1, limits.commitsPerSecond)
        byteCapacity = limits.bytesBurst > 0 ? limits.bytesBurst : limits.bytesPerSecond
        shards = (0..<count).map { _ in Shard() }
        perShard = max(1, limits.maxClients / count)
    }

    /// Admits one commit of `bytes` input bytes by `client`, or throws `rateLimited` (or `limitExceeded`
    /// for a commit larger than the byte bucket can ever hold).
    func admit(client: String, bytes: Int, now: UInt64 = monotonicNanoseconds()) throws(AGError) {
        if limits.bytesPerSecond > 0 && Double(bytes) > byteCapacity {
            throw AGError(.limitExceeded, "AGS_LIMIT_RATE_BYTES: a commit of \(bytes) bytes is larger than the byte burst of client \"\(client)\" (\(Int(byteCapacity)) bytes)")
        }
        let shard = shards[Int(UInt(bitPattern: client.hashValue) % UInt(shards.count))]
        let wait = shard.lock.withLock { () -> Double in
            var bucket = shard.buckets[client] ?? Bucket(commits: commitCapacity, bytes: byteCapacity, updated: now)
            // Another thread may have refilled the bucket at a later `now` than this call's.
            let elapsed = now > bucket.updated ? Double(now - bucket.updated) / 1e9 : 0
            if limits.commitsPerSecond > 0 { bucket.commits = min(commitCapacity, bucket.commits + elapsed * limits.commitsPerSecond) }
            if limits.bytesPerSecond > 0 { bucket.bytes = min(byteCapacity, bucket.bytes + elapsed * limits.bytesPerSecond) }
            bucket.updated = max(bucket.updated, now)
            var wait = 0.0
            if limits.commitsPerSecond > 0 && bucket.commits < 1 { wait = max(wait, (1 - bucket.commits) / limits.commitsPerSecond) }
            if limits.bytesPerSecond > 0 && bucket.bytes < Double(bytes) { wait = max(wait, (Double(bytes) - bucket.bytes) / limits.bytesPerSecond) }
            if wait == 0 {
                if limits.commitsPerSecond > 0 { bucket.commits -= 1 }
                if limits.bytesPerSecond > 0 { bucket.bytes -= Double(bytes) }
            }
            if shard.buckets[client] == nil && shard.buckets.count >= perShard { dropOldest(shard) }
            shard.buckets[client] = bucket
            return wait
        }
        if wait > 0 {
            // Bounded: a rate close to 0 gives a wait beyond any clock (and beyond UInt64).
            let milliseconds = UInt64(min((wait * 1000).rounded(.up), 1e15))
            throw AGError(.rateLimited, "client \"\(client)\" is over its rate limit; retry in \(milliseconds) ms",
                          retryAfterMilliseconds: max(1, milliseconds))
        }
    }

    /// Drops the least recently seen bucket of a full shard (a linear scan, once per new client past the bound).
    private func dropOldest(_ shard: Shard) {
        guard let oldest = shard.buckets.min(by: { $0.value.updated < $1.value.updated })?.key else { return }
        shard.buckets.removeValue(forKey: oldest)
    }

    /// Buckets kept (clients seen recently).
    var clients: Int { shards.reduce(0) { total, shard in total + shard.lock.withLock { shard.buckets.count } } }
}
