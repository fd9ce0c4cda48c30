import AGCore

/// The tables of a storage database, and the check that a database is one of ours and not newer.
///
/// One database holds any number of stores. Each store has a row in `agstate_stores`, its changes in
/// `agstate_changes` (one row a version: the operations as JSON, in an envelope, sealed when a key is
/// set) and its checkpoints in `agstate_checkpoints` (the whole state, in the same form). The schema
/// version is `PRAGMA user_version`; `PRAGMA application_id` marks the file as agstate's.
enum Schema {
    /// "AGST": tells an agstate database from another program's.
    static let applicationID: Int64 = 0x4147_5354
    /// The schema this library writes; it reads no newer one.
    static let version: Int64 = 1

    static let create = """
        BEGIN IMMEDIATE;
        CREATE TABLE agstate_stores(id TEXT PRIMARY KEY NOT NULL, created INTEGER NOT NULL);
        CREATE TABLE agstate_changes(store TEXT NOT NULL, version INTEGER NOT NULL, data BLOB NOT NULL,
                                     PRIMARY KEY(store, version));
        CREATE TABLE agstate_checkpoints(store TEXT NOT NULL, version INTEGER NOT NULL, data BLOB NOT NULL,
                                         PRIMARY KEY(store, version));
        PRAGMA application_id = \(applicationID);
        PRAGMA user_version = \(version);
        COMMIT;
        """

    /// Creates the tables in an empty database, or checks an existing one; throws (changing nothing) for
    /// another program's database or a newer schema.
    static func prepare(_ connection: SQLiteConnection) throws(AGError) {
        let application = try connection.pragmaInteger("application_id")
        let userVersion = try connection.pragmaInteger("user_version")
        let objects = try connection.statement("SELECT count(*) FROM sqlite_master")
        guard try objects.step() else { throw AGError(.io, "cannot read the schema of \(connection.path)") }
        let count = objects.int64(0)
        objects.reset()
        if application == 0 && userVersion == 0 && count == 0 {
            do throws(AGError) {
                try connection.execute(create)
            } catch {
                if !connection.inAutocommit { try? connection.execute("ROLLBACK") }
                throw error
            }
            return
        }
        guard application == applicationID else {
            throw AGError(.corruptData, "\(connection.path) is an SQLite database of another program (application id \(application), \(count) schema objects), not an agstate storage; it was left as it is")
        }
        guard userVersion <= version else {
            throw AGError(.corruptData, "\(connection.path) has storage schema version \(userVersion), newer than the \(version) this library knows; it was left as it is (open it with a newer agstate)")
        }
        guard userVersion == version else {
            throw AGError(.corruptData, "\(connection.path) has an unknown storage schema version \(userVersion); it was left as it is")
        }
    }
}
