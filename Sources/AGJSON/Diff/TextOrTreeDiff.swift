extension JSONDiff {
    /// The patch between two JSON texts: side by side when `fastTextDiff` can (large, nearly equal states
    /// cost about one scan), otherwise both documents parsed and compared, which also gives exact errors.
    /// Both ways give the same patch.
    public static func diff(text a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer, options: DiffOptions,
                            limits: JSONLimits) throws(AGError) -> [PatchOperation] {
        if let fast = fastTextDiff(a, b, options: options, limits: limits) { return fast }
        let parse = ParseOptions(limits: limits, persistentContainers: false)
        return try diff(try document(a, "the first document", parse), try document(b, "the second document", parse),
                        options: options)
    }

    private static func document(_ text: UnsafeRawBufferPointer, _ what: String, _ options: ParseOptions) throws(AGError) -> JSONValue {
        guard text.baseAddress != nil, text.count > 0 else { throw AGError(.invalidJSON, "\(what) is empty", offset: 0) }
        return try JSONParser.parse(text, options: options)
    }
}
