/// About the bytes a value holds, for the history's byte bound: 8 for null and booleans, 16 for numbers,
/// 16 and its UTF-8 count for a string, 16 and 8 an element for an array, 16 and 24 a member (and the
/// name's UTF-8 count) for an object. The walk stops once the total passes `limit`, so its cost is
/// bounded by the limit and not by the size of a large value: the result is exact up to `limit`, and
/// some number above it otherwise.
///
/// Values are read where they lie (through pointers, and strings' counts from their words where
/// `StringBits` allows): walking with a stack of copied values made an allocation and a retain and
/// release for each value, over a tenth of a 100-operation patch. Nesting deeper than `recursionDepth`
/// continues on a heap stack, so the walk takes bounded room on the thread's stack whatever the depth.
extension JSONValue {
    package func estimatedBytes(upTo limit: Int) -> Int {
        switch self {  // most values a patch records are scalars: no walk for them
        case .null, .bool: return 8
        case .number: return 16
        case .string(let s): return 16 + s.utf8.count
        case .array, .object: break
        }
        var total = 0
        withUnsafePointer(to: self) { JSONValue.addEstimate(of: $0, to: &total, limit: limit, depth: 0) }
        return total
    }

    private static let recursionDepth = 48

    private static func addEstimate(of value: UnsafePointer<JSONValue>, to total: inout Int, limit: Int, depth: Int) {
        if StringBits.isAvailable, case .string = value.pointee {
            total += 16 + utf8Count(UnsafeRawPointer(value))
            return
        }
        switch value.pointee {
        case .null, .bool: total += 8
        case .number: total += 16
        case .string(let s): total += 16 + s.utf8.count
        case .array(let a):
            total += 16 + 8 * a.count
            guard depth < recursionDepth else { return addEstimateOnHeap(of: value.pointee, to: &total, limit: limit, counted: true) }
            a.forEachChunk { elements in
                guard let start = elements.baseAddress else { return }
                for i in 0..<elements.count where total <= limit {
                    addEstimate(of: start + i, to: &total, limit: limit, depth: depth + 1)
                }
            }
        case .object(let o):
            total += 16 + 24 * o.count
            guard depth < recursionDepth else { return addEstimateOnHeap(of: value.pointee, to: &total, limit: limit, counted: true) }
            let inBuffers = o.withMemberBuffers { names, values in
                guard let nameStart = names.baseAddress, let valueStart = values.baseAddress else { return }
                for i in 0..<names.count where total <= limit {
                    total += StringBits.isAvailable ? utf8Count(UnsafeRawPointer(nameStart + i)) : names[i].utf8.count
                    addEstimate(of: valueStart + i, to: &total, limit: limit, depth: depth + 1)
                }
            }
            if !inBuffers {
                o.forEachMember { name, member in
                    guard total <= limit else { return }
                    total += name.utf8.count
                    withUnsafePointer(to: member) { addEstimate(of: $0, to: &total, limit: limit, depth: depth + 1) }
                }
            }
        }
    }

    /// The UTF-8 count of the string whose two words are at `words` (only where `StringBits.isAvailable`):
    /// in the top byte's low nibble for an inline string, in the low 48 bits of the first word otherwise.
    @inline(__always)
    private static func utf8Count(_ words: UnsafeRawPointer) -> Int {
        let (countAndFlags, object) = words.load(as: (UInt64, UInt64).self)
        if object & (0x20 << 56) != 0 { return Int(truncatingIfNeeded: (object >> 56) & 0x0F) }
        return Int(truncatingIfNeeded: countAndFlags & 0xFFFF_FFFF_FFFF)
    }

    /// The deep part of a walk, on a stack in the heap. `counted`: the container itself was counted.
    private static func addEstimateOnHeap(of root: JSONValue, to total: inout Int, limit: Int, counted: Bool) {
        var stack: [JSONValue] = []
        var skipCount = counted
        var next: JSONValue? = root
        while let value = next ?? stack.popLast(), total <= limit {
            next = nil
            let countThis = !skipCount
            skipCount = false
            switch value {
            case .null, .bool: total += 8
            case .number: total += 16
            case .string(let s): total += 16 + s.utf8.count
            case .array(let a):
                if countThis { total += 16 + 8 * a.count }
                stack.append(contentsOf: a)
            case .object(let o):
                if countThis { total += 16 + 24 * o.count }
                o.forEachMember { key, member in
                    guard total <= limit else { return }
                    total += key.utf8.count
                    stack.append(member)
                }
            }
        }
    }
}
