extension MergePatch {
    /// The RFC 7386 merge patch that turns `a` into `b`, or an `invalidArgument` error when none exists: a
    /// merge patch cannot set a member to `null` (null means "remove"), so a `b` that holds a null member
    /// where `a` differs has no merge patch.
    public static func diff(_ a: JSONValue, _ b: JSONValue) throws(AGError) -> JSONValue {
        let patch = try build(a, b, at: .root)
        // Checked, as the RFC 6902 diff is.
        guard MergePatch.apply(patch, to: a) == b else {
            throw AGError(.invalidArgument, "no merge patch turns the first document into the second")
        }
        return patch
    }

    private static func build(_ a: JSONValue, _ b: JSONValue, at path: JSONPointer) throws(AGError) -> JSONValue {
        guard case .object(let target) = b else {
            return b // anything but an object replaces the target as it is
        }
        guard case .object(let source) = a else {
            try requireNoNullMembers(b, at: path)
            return b
        }
        var patch = JSONObject()
        for (key, _) in source.entries where !target.contains(key) {
            patch[key] = .null
        }
        for (key, new) in target.entries {
            let child = path.appending(key)
            if let old = source[key] {
                if old.isSameText(as: new) { continue }
                if case .null = new {
                    throw AGError(.invalidArgument, "no merge patch exists: \"\(child)\" becomes null, which a merge patch can only express as removal", pointer: child.description)
                }
                if case .object = new, case .object = old {
                    patch[key] = try build(old, new, at: child)
                } else {
                    try requireNoNullMembers(new, at: child)
                    patch[key] = new
                }
            } else {
                if case .null = new {
                    throw AGError(.invalidArgument, "no merge patch exists: \"\(child)\" is added as null, which a merge patch cannot express", pointer: child.description)
                }
                try requireNoNullMembers(new, at: child)
                patch[key] = new
            }
        }
        return .object(patch)
    }

    /// A value written whole into a merge patch must hold no null object member (it would mean "remove").
    private static func requireNoNullMembers(_ value: JSONValue, at path: JSONPointer) throws(AGError) {
        guard case .object(let o) = value else { return }
        for (key, member) in o.entries {
            if case .null = member {
                throw AGError(.invalidArgument, "no merge patch exists: \"\(path.appending(key))\" is null, which a merge patch cannot set", pointer: path.appending(key).description)
            }
            try requireNoNullMembers(member, at: path.appending(key))
        }
    }
}
