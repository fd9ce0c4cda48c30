import AGCore

/// The defaults written in the header as AGS_PG_DEFAULT_* (the Redis storage shares them).
public enum PostgresDefaults {
    public static let poolSize = 4
    public static let breakerFailures = 5
    public static let breakerOpenMilliseconds: UInt64 = 1_000
}

/// A PostgreSQL storage's settings: the URL's agstate_* parameters, removed before the URL goes to libpq.
typealias PGSettings = ServerSettings

/// A pool of libpq connections (see `ConnectionPool`).
typealias PGPool = ConnectionPool<PGConnection>

extension ConnectionPool where Connection == PGConnection {
    convenience init(url: String, settings: ServerSettings) {
        self.init(url: url, settings: settings, server: "PostgreSQL") { () throws(AGError) -> PGConnection in
            try PGConnection(url: url, timeoutSeconds: settings.connectTimeoutSeconds)
        }
    }
}

extension PGConnection: PooledConnection {
    func check() -> Bool { (try? execute("SELECT 1")) != nil }
}
