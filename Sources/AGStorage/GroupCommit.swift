import AGCore

/// Runs the writes of concurrent committers in shared database transactions: one thread (the leader)
/// takes every write queued so far and commits them together, with one sync, while the others wait for
/// their own write's outcome. A lone committer simply commits its own write.
///
/// Each write runs inside a savepoint, so one that fails (a constraint, a deleted store) is undone alone;
/// when the transaction itself fails (disk full, I/O error, locked past the busy timeout), every write in
/// it fails with that error. The queue holds at most one write per blocked committing thread.
final class GroupCommitter: @unchecked Sendable {
    typealias Write = (SQLiteConnection) throws(AGError) -> Void

    private final class Ticket {
        let write: Write
        var done = false
        var error: AGError?
        init(_ write: @escaping Write) { self.write = write }
    }

    private let queueLock = ConditionLock()
    private var queue: [Ticket] = []
    private var leading = false
    private let database: Database

    init(database: Database) { self.database = database }

    /// Runs `write` in a transaction (shared with concurrent writes) and returns once it is committed.
    func submit(_ write: @escaping Write) throws(AGError) {
        let ticket = Ticket(write)
        queueLock.lock()
        queue.append(ticket)
        while !ticket.done {
            if leading {
                queueLock.wait()
                continue
            }
            leading = true
            let batch = queue
            queue = []
            queueLock.unlock()
            run(batch)
            queueLock.lock()
            leading = false
            queueLock.broadcast()
        }
        queueLock.unlock()
        if let error = ticket.error { throw error }
    }

    private func run(_ batch: [Ticket]) {
        do throws(AGError) {
            try database.withConnection { (connection) throws(AGError) in
                try connection.run("BEGIN IMMEDIATE")
                // A lone write needs no savepoint: when it fails, the transaction is rolled back whole.
                let savepoints = batch.count > 1
                for ticket in batch {
                    do throws(AGError) {
                        if savepoints { try connection.run("SAVEPOINT agstate_write") }
                        try ticket.write(connection)
                        if savepoints { try connection.run("RELEASE agstate_write") }
                    } catch {
                        // SQLite ends the whole transaction itself after some failures (a full disk, an
                        // I/O error): then nothing of the batch is written.
                        if connection.inAutocommit || !savepoints {
                            if !connection.inAutocommit { try? connection.run("ROLLBACK") }
                            throw error
                        }
                        ticket.error = error
                        do throws(AGError) {
                            try connection.run("ROLLBACK TO agstate_write")
                            try connection.run("RELEASE agstate_write")
                        } catch let undo {
                            try? connection.run("ROLLBACK")
                            throw undo
                        }
                    }
                }
                do throws(AGError) {
                    try connection.run("COMMIT")
                } catch {
                    if !connection.inAutocommit { try? connection.run("ROLLBACK") }
                    throw error
                }
            }
        } catch {
            for ticket in batch where ticket.error == nil { ticket.error = error }
        }
        queueLock.withLock { for ticket in batch { ticket.done = true } }
    }
}
