import AGCore

/// Where a Redis storage connects, read from its URL (after the agstate_* parameters are taken out):
///
///     redis://[[user]:password@][host][:port][/db]          TCP; host 127.0.0.1, port 6379, db 0 by default
///     redis+unix://[[user]:password@]/path/to/socket[?db=N]  a Unix socket
///
/// A host may be an IPv6 address in brackets. The user and password (percent-encoded where needed) are sent
/// with AUTH; a db other than 0 is selected with SELECT.
struct RedisEndpoint: Equatable {
    enum Address: Equatable {
        case tcp(host: String, port: Int32)
        case unix(path: String)
    }
    var address: Address
    var db: Int = 0
    var user: String?
    var password: String?

    static let maxDB = 1 << 20

    init(address: Address, db: Int = 0, user: String? = nil, password: String? = nil) {
        self.address = address
        self.db = db
        self.user = user
        self.password = password
    }

    /// Reads `url` (its agstate_* parameters already removed).
    init(parsing url: String) throws(AGError) {
        let unix: Bool
        var rest: Substring
        if url.hasPrefix("redis://") {
            unix = false
            rest = url.dropFirst("redis://".count)
        } else if url.hasPrefix("redis+unix://") {
            unix = true
            rest = url.dropFirst("redis+unix://".count)
        } else {
            throw AGError(.invalidArgument, "a Redis storage URL starts with redis:// or redis+unix://")
        }
        var query: Substring = ""
        if let question = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: question)...]
            rest = rest[..<question]
        }
        // The user information ends at the last "@" before the path.
        let pathStart = unix ? rest.firstIndex(of: "/") ?? rest.endIndex : rest.endIndex
        if let at = rest[..<pathStart].lastIndex(of: "@") {
            let info = rest[..<at]
            guard let colon = info.firstIndex(of: ":") else {
                throw AGError(.invalidArgument, "the Redis URL's user information is [user]:password")
            }
            let user = try RedisEndpoint.percentDecoded(info[..<colon])
            password = try RedisEndpoint.percentDecoded(info[info.index(after: colon)...])
            self.user = user.isEmpty ? nil : user
            rest = rest[rest.index(after: at)...]
        }
        if unix {
            guard rest.first == "/", rest.count > 1 else {
                throw AGError(.invalidArgument, "a redis+unix URL names the socket's absolute path: redis+unix:///path/to/socket")
            }
            address = .unix(path: try RedisEndpoint.percentDecoded(rest))
        } else {
            var hostPort = rest
            if let slash = rest.firstIndex(of: "/") {
                hostPort = rest[..<slash]
                let dbText = rest[rest.index(after: slash)...]
                if !dbText.isEmpty { db = try RedisEndpoint.number(dbText, "db") }
            }
            var host = "127.0.0.1"
            var port: Int32 = 6379
            var portText: Substring?
            if hostPort.first == "[" {
                guard let close = hostPort.firstIndex(of: "]") else {
                    throw AGError(.invalidArgument, "an IPv6 host in a Redis URL ends with ]")
                }
                host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
                let after = hostPort[hostPort.index(after: close)...]
                if !after.isEmpty {
                    guard after.first == ":" else { throw AGError(.invalidArgument, "a Redis URL's host is followed by :port") }
                    portText = after.dropFirst()
                }
            } else if let colon = hostPort.firstIndex(of: ":") {
                if colon != hostPort.startIndex { host = String(hostPort[..<colon]) }
                portText = hostPort[hostPort.index(after: colon)...]
            } else if !hostPort.isEmpty {
                host = String(hostPort)
            }
            if let portText {
                guard let value = Int32(portText), (1...65535).contains(value) else {
                    throw AGError(.invalidArgument, "the port in a Redis URL is 1 to 65535, not \"\(portText)\"")
                }
                port = value
            }
            address = .tcp(host: host, port: port)
        }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0] == "db", unix else {
                throw AGError(.invalidArgument, "unknown parameter \"\(parts[0])\" in the Redis URL (db=N for a socket, agstate_* settings)")
            }
            db = try RedisEndpoint.number(parts[1], "db")
        }
    }

    private static func number(_ text: Substring, _ what: String) throws(AGError) -> Int {
        guard let value = Int(text), value >= 0, value <= maxDB else {
            throw AGError(.invalidArgument, "the \(what) in a Redis URL is an integer 0 to \(maxDB), not \"\(text)\"")
        }
        return value
    }

    private static func percentDecoded(_ text: Substring) throws(AGError) -> String {
        var bytes: [UInt8] = []
        var utf8 = text.utf8.makeIterator()
        while let byte = utf8.next() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard let high = utf8.next().flatMap(hexValue), let low = utf8.next().flatMap(hexValue) else {
                throw AGError(.invalidArgument, "a bad percent escape in the Redis URL")
            }
            bytes.append(high << 4 | low)
        }
        guard let decoded = String(validating: bytes, as: UTF8.self), !decoded.utf8.contains(0) else {
            throw AGError(.invalidArgument, "the Redis URL decodes to text that is not UTF-8 or holds a NUL byte")
        }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// The address for messages (no password).
    var description: String {
        switch address {
        case .tcp(let host, let port): return host.contains(":") ? "[\(host)]:\(port)/\(db)" : "\(host):\(port)/\(db)"
        case .unix(let path): return "\(path) db \(db)"
        }
    }
}
