#if canImport(Glibc)
import Glibc
#endif
import AGCore

/// Checks an existing file before SQLite touches it, so that a file that is not a database, or one cut
/// short, gets a clear error and is left exactly as it was (SQLite would otherwise start writing a WAL
/// beside it, or fail later, on some read in the middle of a commit).
enum DatabaseFile {
    static let magic: [UInt8] = Array("SQLite format 3".utf8) + [0]

    /// Throws `corruptData` when the file at `path` exists, is not empty, and is not a whole SQLite
    /// database; returns quietly for a missing or empty file (a new database).
    static func check(_ path: String) throws(AGError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return }
            throw AGError(.io, "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        defer { Glibc.close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw AGError(.io, "cannot stat \(path): \(String(cString: strerror(errno)))") }
        let size = Int64(info.st_size)
        if size == 0 { return }
        var header = [UInt8](repeating: 0, count: 100)
        let count = header.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 100, 0) }
        guard count >= 16, Array(header[0..<16]) == magic else {
            throw AGError(.corruptData, "\(path) is not an SQLite database (its first bytes are not the SQLite header); it was left as it is")
        }
        guard count == 100 else {
            throw AGError(.corruptData, "\(path) is truncated: \(size) bytes, shorter than an SQLite header; it was left as it is")
        }
        let raw = Int(header[16]) << 8 | Int(header[17])
        let pageSize = raw == 1 ? 65536 : raw
        guard pageSize >= 512, pageSize & (pageSize - 1) == 0 else {
            throw AGError(.corruptData, "\(path) has a damaged SQLite header (page size \(raw)); it was left as it is")
        }
        func be32(_ at: Int) -> UInt32 {
            UInt32(header[at]) << 24 | UInt32(header[at + 1]) << 16 | UInt32(header[at + 2]) << 8 | UInt32(header[at + 3])
        }
        // The page count in the header is valid when the change counter matches "version valid for".
        let pages = be32(28)
        if pages > 0 && be32(24) == be32(92) {
            let expected = Int64(pages) * Int64(pageSize)
            guard size >= expected else {
                throw AGError(.corruptData, "\(path) is truncated: \(size) bytes where its header says \(expected); it was left as it is")
            }
        }
    }
}
