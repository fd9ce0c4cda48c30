/// Applying RFC 6902 patches. Application is atomic because values are immutable: the patch changes a
/// working copy (which shares every untouched container with the original) and the caller keeps the
/// original when any operation fails.
extension JSONPatch {
    /// Applies every operation in order to `document` and returns the result, or throws the first
    /// failure with its operation index and path.
    public func apply(to document: JSONValue, limits: JSONLimits = .default) throws(AGError) -> JSONValue {
        var working = document
        for (index, operation) in operations.enumerated() {
            do {
                try working.apply(operation, limits: limits)
            } catch {
                throw error.inOperation(index, op: operation.name)
            }
        }
        return working
    }
}

extension JSONValue {
    /// Applies one operation in place. On failure `self` may be partly changed: callers apply to a copy.
    public mutating func apply(_ operation: PatchOperation, limits: JSONLimits = .default) throws(AGError) {
        switch operation {
        case let .add(path, value):
            try checkDepth(path, value, limits)
            try add(value, at: path)
        case let .remove(path):
            _ = try remove(at: path)
        case let .replace(path, value):
            try checkDepth(path, value, limits)
            try replace(at: path, with: value)
        case let .move(from, path):
            if from == path { _ = try value(at: from); return }
            if path.hasPrefix(from) {
                throw AGError(.invalidPatch, "cannot move \"\(from)\" into its own child \"\(path)\"", pointer: path.description)
            }
            let moved = try remove(at: from)
            try checkDepth(path, moved, limits)
            try add(moved, at: path)
        case let .copy(from, path):
            let copied = try value(at: from)
            try checkDepth(path, copied, limits)
            try add(copied, at: path)
        case let .test(path, expected):
            let actual = try value(at: path)
            guard actual == expected else {
                throw AGError(.testFailed, "test failed at \"\(path)\": the value is \(JSONValue.excerpt(actual)), not \(JSONValue.excerpt(expected))",
                              pointer: path.description)
            }
        }
    }

    /// RFC 6902 `add`: sets an object member, inserts into an array (`-` appends), or replaces the
    /// whole document at the root. The parent must exist.
    public mutating func add(_ value: JSONValue, at path: JSONPointer) throws(AGError) {
        guard let last = path.lastToken else { self = value; return }
        try modifyParent(of: path) { (parent: inout JSONValue) throws(AGError) in
            switch parent.containerKind {
            case .object:
                parent.withObject { $0[last] = value }
            case .array:
                try parent.withArray { (array: inout JSONArray) throws(AGError) in
                    let index = try JSONValue.insertionIndex(path, in: array)
                    array.insert(value, at: index)
                }
            case nil:
                throw JSONValue.notFound(path, path.tokens.count - 1, "is a \(parent.typeName), not a container")
            }
        }
    }

    /// Where `add` at `path` inserts into `array`: `-` is the end, else an index up to the count.
    static func insertionIndex(_ path: JSONPointer, in array: JSONArray) throws(AGError) -> Int {
        let last = path.lastToken!
        if last == "-" { return array.count }
        if let i = JSONPointer.arrayIndex(last), i <= array.count { return i }
        throw JSONValue.notFound(path, path.tokens.count - 1,
                                 "is an array of length \(array.count) and \"\(last)\" is not an index to add at")
    }

    /// RFC 6902 `remove`: the target must exist. Returns the removed value. The root cannot be removed.
    @discardableResult
    public mutating func remove(at path: JSONPointer) throws(AGError) -> JSONValue {
        try removeReporting(at: path, notingPlace: false).removed
    }

    /// `remove`, also telling whether the value was an array element and, for an object member when
    /// `notingPlace`, the name of the member that followed it (nil when it was the last): what an undo
    /// needs to put it back where it was.
    mutating func removeReporting(at path: JSONPointer, notingPlace: Bool)
        throws(AGError) -> (removed: JSONValue, fromArray: Bool, before: String?) {
        guard let last = path.lastToken else {
            throw AGError(.invalidPointer, "the whole document cannot be removed (path \"\")", pointer: "")
        }
        return try modifyParent(of: path) { (parent: inout JSONValue) throws(AGError) -> (removed: JSONValue, fromArray: Bool, before: String?) in
            switch parent.containerKind {
            case .object:
                let (removed, before) = parent.withObject { (object: inout JSONObject) -> (JSONValue?, String?) in
                    let before = notingPlace ? object.name(after: last) : nil
                    return (object.removeValue(forKey: last), before)
                }
                guard let removed else { throw JSONValue.notFound(path, path.tokens.count - 1, "has no member \"\(last)\"") }
                return (removed, false, before)
            case .array:
                let removed = try parent.withArray { (array: inout JSONArray) throws(AGError) -> JSONValue in
                    guard let i = JSONPointer.arrayIndex(last), i < array.count else {
                        throw JSONValue.notFound(path, path.tokens.count - 1,
                                                 "is an array of length \(array.count) with no element \"\(last)\"")
                    }
                    return array.remove(at: i)
                }
                return (removed, true, nil)
            case nil:
                throw JSONValue.notFound(path, path.tokens.count - 1, "is a \(parent.typeName), not a container")
            }
        }
    }

    /// RFC 6902 `replace`: the target must exist; at the root it replaces the whole document. Returns the
    /// value replaced.
    @discardableResult
    public mutating func replace(at path: JSONPointer, with value: JSONValue) throws(AGError) -> JSONValue {
        guard let last = path.lastToken else {
            var replaced = value
            swap(&self, &replaced)
            return replaced
        }
        return try modifyParent(of: path) { (parent: inout JSONValue) throws(AGError) -> JSONValue in
            switch parent.containerKind {
            case .object:
                let replaced = parent.withObject { (object: inout JSONObject) -> JSONValue? in
                    object.modify(last) { (member: inout JSONValue) -> JSONValue in
                        var replaced = value
                        swap(&member, &replaced)
                        return replaced
                    }
                }
                guard let replaced else { throw JSONValue.notFound(path, path.tokens.count - 1, "has no member \"\(last)\"") }
                return replaced
            case .array:
                return try parent.withArray { (array: inout JSONArray) throws(AGError) -> JSONValue in
                    guard let i = JSONPointer.arrayIndex(last), i < array.count else {
                        throw JSONValue.notFound(path, path.tokens.count - 1,
                                                 "is an array of length \(array.count) with no element \"\(last)\"")
                    }
                    return array.modify(at: i) { (element: inout JSONValue) -> JSONValue in
                        var replaced = value
                        swap(&element, &replaced)
                        return replaced
                    }
                }
            case nil:
                throw JSONValue.notFound(path, path.tokens.count - 1, "is a \(parent.typeName), not a container")
            }
        }
    }

    /// Runs `body` on the container that holds the last token of `path`, changing it in place. Each
    /// container on the way is taken out of its parent while it changes, so that it is uniquely
    /// referenced and copy-on-write copies only what a snapshot still shares.
    mutating func modifyParent<R>(of path: JSONPointer, _ body: (inout JSONValue) throws(AGError) -> R) throws(AGError) -> R {
        try modify(path, path.tokens.count - 1, 0, body)
    }

    private mutating func modify<R>(_ path: JSONPointer, _ end: Int, _ depth: Int,
                                    _ body: (inout JSONValue) throws(AGError) -> R) throws(AGError) -> R {
        if depth == end { return try body(&self) }
        let token = path.tokens[depth]
        switch containerKind {
        case .object:
            let result = try withObject { (object: inout JSONObject) throws(AGError) -> R? in
                try object.modify(token) { (child: inout JSONValue) throws(AGError) -> R in
                    try child.modify(path, end, depth + 1, body)
                }
            }
            guard let result else { throw JSONValue.notFound(path, depth, "has no member \"\(token)\"") }
            return result
        case .array:
            return try withArray { (array: inout JSONArray) throws(AGError) -> R in
                guard let index = JSONPointer.arrayIndex(token), index < array.count else {
                    throw JSONValue.notFound(path, depth, "is an array of length \(array.count) with no element \"\(token)\"")
                }
                return try array.modify(at: index) { (child: inout JSONValue) throws(AGError) -> R in
                    try child.modify(path, end, depth + 1, body)
                }
            }
        case nil:
            throw JSONValue.notFound(path, depth, "is a \(typeName), not a container")
        }
    }

    func checkDepth(_ path: JSONPointer, _ value: JSONValue, _ limits: JSONLimits) throws(AGError) {
        let depth = path.tokens.count + value.height
        if depth > limits.maxDepth {
            throw AGError(.limitExceeded, "AGS_LIMIT_DEPTH: the result would nest \(depth) levels deep at \"\(path)\", beyond the limit of \(limits.maxDepth)",
                          pointer: path.description)
        }
    }

    /// A short rendering of a value for messages.
    static func excerpt(_ value: JSONValue) -> String {
        let text = JSONSerializer.serialize(value)
        if text.count <= 64 { return String(decoding: text, as: UTF8.self) }
        return String(decoding: text.prefix(61), as: UTF8.self) + "..."
    }
}

