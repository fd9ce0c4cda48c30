import AGCore

/// The versioned schema of a PostgreSQL storage. The library creates it and applies the migrations a
/// database lacks, under an advisory lock (so that processes opening at once do it once), and refuses a
/// database whose schema is newer than it knows.
enum PGSchema {
    /// The statements that take the schema from version i to i + 1.
    static let migrations: [[String]] = [
        [
            "CREATE TABLE agstate_stores (id text PRIMARY KEY, created bigint NOT NULL)",
            """
            CREATE TABLE agstate_changes (store text NOT NULL REFERENCES agstate_stores(id) ON DELETE CASCADE,
                version bigint NOT NULL, data bytea NOT NULL, writer bytea NOT NULL, PRIMARY KEY (store, version))
            """,
            """
            CREATE TABLE agstate_checkpoints (store text NOT NULL REFERENCES agstate_stores(id) ON DELETE CASCADE,
                version bigint NOT NULL, data bytea NOT NULL, PRIMARY KEY (store, version))
            """,
        ],
    ]
    static var current: Int { migrations.count }
    /// The channel that carries "version store-id" for every committed change.
    static let channel = "agstate_changes"

    static func prepare(_ connection: PGConnection) throws(AGError) {
        try connection.execute("BEGIN")
        do throws(AGError) {
            try connection.execute("SELECT pg_advisory_xact_lock(7461677374617465)")
            try connection.execute("CREATE TABLE IF NOT EXISTS agstate_schema (version integer NOT NULL)")
            let rows = try connection.execute("SELECT version FROM agstate_schema")
            var version = rows.rows > 0 ? Int(rows.int32(0, 0)) : 0
            guard version <= current else {
                throw AGError(.corruptData, "the database's agstate schema is version \(version), newer than this library's \(current); it was not changed")
            }
            if rows.rows == 0 { try connection.execute("INSERT INTO agstate_schema(version) VALUES (0)") }
            while version < current {
                for statement in migrations[version] { try connection.execute(statement) }
                version += 1
                try connection.execute("UPDATE agstate_schema SET version = $1::integer", [.text(String(version))])
            }
            try connection.execute("COMMIT")
        } catch {
            _ = try? connection.execute("ROLLBACK")
            throw error
        }
    }
}
