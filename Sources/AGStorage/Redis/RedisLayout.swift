import AGCore

/// The keys and scripts of a Redis storage. Every key starts with "agstate:"; a store id follows the kind
/// of key, so ids of any bytes never collide:
///
///     agstate:schema              the layout's version ("1"); a newer one is refused
///     agstate:stores              hash: store id -> creation time (seconds)
///     agstate:meta:<id>           hash: version (the last committed), checkpoint (the newest checkpoint's version)
///     agstate:changes:<id>        stream: one entry per change, entry id "<version>-0", fields d (the row), w (the writer)
///     agstate:checkpoints:<id>    hash: version -> checkpoint row
///
/// Every write is one Lua script, which Redis runs atomically: a change is appended only when the store's
/// last version is the one before it. Each commit publishes "<version> <id>" on the channel
/// "agstate:changed:<db>" (channels are shared by a server's databases).
enum RedisLayout {
    static let version = 1
    static let schemaKey = "agstate:schema"
    static let stores = "agstate:stores"
    static func meta(_ id: String) -> String { "agstate:meta:" + id }
    static func changes(_ id: String) -> String { "agstate:changes:" + id }
    static func checkpoints(_ id: String) -> String { "agstate:checkpoints:" + id }
    static func channel(db: Int) -> String { "agstate:changed:\(db)" }

    /// KEYS: stores, meta, changes, checkpoints. ARGV: id, creation time, the initial checkpoint row.
    /// Creates the store unless it exists, then returns {checkpoint version, checkpoint row}.
    static let open = """
        if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then
          redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
          redis.call('HSET', KEYS[2], 'version', '0', 'checkpoint', '0')
          redis.call('HSET', KEYS[4], '0', ARGV[3])
        end
        local v = redis.call('HGET', KEYS[2], 'checkpoint')
        if not v then return redis.error_reply('AGSTATE_CORRUPT the store has no metadata') end
        local row = redis.call('HGET', KEYS[4], v)
        if not row then return redis.error_reply('AGSTATE_CORRUPT the store has no checkpoint at version ' .. v) end
        return {v, row}
        """

    /// KEYS: meta, changes, checkpoints. ARGV: version, change row, writer, checkpoint row or "", the
    /// newest version the history no longer needs (-1: none), channel, payload.
    /// Returns 1 (appended), 2 (this writer appended it already: a retry), 0 (another writer has the
    /// version: a lost race), -1 (the store was deleted); an AGSTATE_CORRUPT error when the server is
    /// behind the version known here (it lost acknowledged changes).
    static let record = """
        local last = redis.call('HGET', KEYS[1], 'version')
        if not last then return -1 end
        local v = ARGV[1]
        if tonumber(last) < tonumber(v) - 1 then
          return redis.error_reply('AGSTATE_CORRUPT the server holds version ' .. last .. ', behind version ' ..
            string.format('%.0f', tonumber(v) - 1) .. ' known here: it lost acknowledged changes (see its appendonly and appendfsync settings)')
        end
        if tonumber(last) ~= tonumber(v) - 1 then
          local entry = redis.call('XRANGE', KEYS[2], v .. '-0', v .. '-0')
          if #entry == 1 then
            local fields = entry[1][2]
            for i = 1, #fields, 2 do
              if fields[i] == 'w' and fields[i + 1] == ARGV[3] then return 2 end
            end
          end
          return 0
        end
        redis.call('XADD', KEYS[2], v .. '-0', 'd', ARGV[2], 'w', ARGV[3])
        redis.call('HSET', KEYS[1], 'version', v)
        if ARGV[4] ~= '' then
          redis.call('HSET', KEYS[3], v, ARGV[4])
          redis.call('HSET', KEYS[1], 'checkpoint', v)
          local limit = tonumber(ARGV[5])
          if limit >= 0 then
            local base = -1
            local all = redis.call('HKEYS', KEYS[3])
            for _, k in ipairs(all) do
              local n = tonumber(k)
              if n <= limit and n > base then base = n end
            end
            if base >= 0 then
              redis.call('XTRIM', KEYS[2], 'MINID', string.format('%.0f', base + 1))
              for _, k in ipairs(all) do
                if tonumber(k) < base then redis.call('HDEL', KEYS[3], k) end
              end
            end
          end
        end
        redis.call('PUBLISH', ARGV[6], ARGV[7])
        return 1
        """

    /// KEYS: stores, meta, changes, checkpoints. ARGV: id. Returns 1, or 0 when there is no such store.
    static let delete = """
        if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
        redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
        return 1
        """

    /// KEYS: schema. ARGV: this library's layout version. Returns the database's layout version (set to
    /// ARGV[1] when it had none).
    static let prepare = """
        redis.call('SETNX', KEYS[1], ARGV[1])
        return redis.call('GET', KEYS[1])
        """
}
