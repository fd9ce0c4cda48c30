import AGJSON
import AGState
import CAgstateHeader

// Transactions (include/agstate.h). Committing or rolling back releases the handle.

let transactions = HandleTable<Transaction>(kind: 0x5C, name: "transaction")

@_cdecl("ags_store_begin")
public func ags_store_begin(_ handle: OpaquePointer?, _ txn: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    run { () throws(AGError) in
        let txn = try require(txn, "txn")
        txn.pointee = try transactions.insert(try stores.object(handle).begin())
    }
}

@_cdecl("ags_txn_get")
public func ags_txn_get(_ txn: OpaquePointer?, _ ptr: CText, _ ptrLength: Int, _ flags: UInt32,
                        _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        let options = try serializeOptions(flags)
        let transaction = try transactions.object(txn)
        try write(try transaction.get(try pointer(ptr, ptrLength)), options, out, outLength)
    }
}

@_cdecl("ags_txn_patch")
public func ags_txn_patch(_ txn: OpaquePointer?, _ patchText: CText, _ patchLength: Int, _ flags: UInt32) -> Int32 {
    run { () throws(AGError) in
        let transaction = try transactions.object(txn)
        let options = try patchOptions(flags)
        let text = try bytes(patchText, patchLength, "the patch")
        guard text.baseAddress != nil else { throw AGError(.invalidJSON, "the patch is empty", offset: 0) }
        try transaction.apply(patchText: text, options: options)
    }
}

@_cdecl("ags_txn_commit")
public func ags_txn_commit(_ txn: OpaquePointer?, _ options: UnsafePointer<ags_commit_options>?,
                           _ version: UnsafeMutablePointer<UInt64>?) -> Int32 {
    run { () throws(AGError) in
        let transaction = try transactions.object(txn)
        transactions.remove(txn)
        // Checked after the handle is released: the transaction ends whatever the result, as documented.
        let options = try commitOptions(options)
        writeVersion(try transaction.commit(options: options), version)
    }
}

@_cdecl("ags_txn_rollback")
public func ags_txn_rollback(_ txn: OpaquePointer?) {
    guard let transaction = try? transactions.object(txn) else { return }
    transactions.remove(txn)
    transaction.rollback()
}
