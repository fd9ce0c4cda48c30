#if canImport(Glibc)
import Glibc
#endif
import Testing
import AGJSON
@testable import AGState

/// Runs `body` on a thread of its own and reports whether it returned within `seconds`: a hang fails the
/// test instead of stopping the suite (the thread is left behind).
func returnsInTime(seconds: UInt64 = 20, _ body: @escaping @Sendable () -> Void) -> Bool {
    final class Context: @unchecked Sendable {
        let body: @Sendable () -> Void
        let done = ConditionLock()
        var finished = false
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let context = Context(body)
    var thread = pthread_t()
    let raw = Unmanaged.passRetained(context).toOpaque()
    guard pthread_create(&thread, nil, { raw in
        let context = Unmanaged<Context>.fromOpaque(raw!).takeRetainedValue()
        context.body()
        context.done.withLock { context.finished = true; context.done.broadcast() }
        return nil
    }, raw) == 0 else { return false }
    pthread_detach(thread)
    return context.done.withLock {
        for _ in 0..<(seconds * 10) where !context.finished { context.done.wait(milliseconds: 100) }
        return context.finished
    }
}

@Suite struct BatcherEdgeTests {
    func p(_ s: String) throws -> JSONPointer { try JSONPointer(parsing: s) }

    /// Bounds far past any batch (2^62, Int.max) are refused with an error; the largest accepted bound
    /// works, and the backlog's bounds, sixteen times the batch bounds, saturate instead of overflowing
    /// whatever the bound.
    @Test(arguments: [1 << 62, Int.max, Int.max / 16 + 1, BatcherOptions.maxBound + 1, 0, -1])
    func boundsPastTheLargestAreRefused(bound: Int) throws {
        let store = try Store(["log": []])
        for options in [BatcherOptions(maxOperations: bound), BatcherOptions(maxBytes: bound)] {
            do {
                _ = try Batcher(store: store, options: options) { _ in true }
                Issue.record("bound \(bound) accepted")
            } catch {
                #expect(error.code == .invalidArgument)
            }
        }
        if bound > Int.max / 16 { #expect(BatcherOptions(maxOperations: bound).backlogOperations == Int.max) }
        #expect(BatcherOptions(maxOperations: 3).backlogOperations == 48)
    }

    @Test func theLargestBoundWorks() throws {
        let bound = BatcherOptions.maxBound
        let store = try Store(["log": []])
        let got = Batches()
        let batcher = try Batcher(store: store, options: BatcherOptions(maxOperations: bound, maxBytes: bound,
                                                                         windowMilliseconds: 1000)) { got.append($0); return true }
        for i in 0..<20 { try store.add(.int(Int64(i)), at: p("/log/-")) }
        #expect(got.all.isEmpty)
        batcher.close()
        #expect(got.all.count == 1 && got.all[0].toVersion == 20)
        #expect(BatcherOptions(maxOperations: bound).backlogOperations == bound * 16)
    }

    /// Closing from inside `send` returns at once (it waited for the send in progress: its own), with or
    /// without a flush, with or without the timer thread; a flush sends what is pending after `send`
    /// returns, and nothing is sent after a close that drops.
    @Test(arguments: [false, true], [false, true])
    func closeFromInsideSend(flush: Bool, timer: Bool) throws {
        let store = try Store(["log": []])
        let got = Batches()
        final class Holder: @unchecked Sendable { var batcher: Batcher? }
        let holder = Holder()
        let batcher = try Batcher(store: store, options: BatcherOptions(windowMilliseconds: 60_000)) { batch in
            got.append(batch)
            if got.all.count == 1 {
                // One more change arrives while this batch is being sent, then the consumer closes.
                try? store.add(99, at: try! JSONPointer(parsing: "/log/-"))
                holder.batcher?.close(flush: flush)
            }
            return true
        }
        holder.batcher = batcher
        if timer { try batcher.startTimer(tickMilliseconds: 1) }
        try store.add(1, at: p("/log/-"))
        let finished = returnsInTime { batcher.flush() }
        #expect(finished, "close from inside send did not return")
        let batches = got.all
        if flush {
            #expect(batches.map(\.toVersion) == [1, 2])
        } else {
            #expect(batches.map(\.toVersion) == [1])
        }
        try store.add(3, at: p("/log/-"))
        batcher.close()
        #expect(got.all.count == batches.count, "a closed batcher sent again")
    }

    /// Closing from another thread while a batch is being sent waits for that send, then sends (or drops)
    /// what arrived meanwhile: when close returns, no send runs and none will start.
    @Test(arguments: [false, true])
    func closeWaitsForASendOnAnotherThread(flush: Bool) throws {
        let store = try Store(["log": []])
        let got = Batches()
        let entered = ConditionLock()
        final class Flags: @unchecked Sendable { var inside = false; var release = false; var sending = 0; var overlapped = false }
        let flags = Flags()
        let batcher = try Batcher(store: store, options: BatcherOptions(windowMilliseconds: 60_000)) { batch in
            entered.withLock {
                flags.sending += 1
                if flags.sending > 1 { flags.overlapped = true }
                flags.inside = true
                entered.broadcast()
                while !flags.release && got.all.isEmpty { entered.wait(milliseconds: 10) }
            }
            usleep(20_000)
            got.append(batch)
            entered.withLock { flags.sending -= 1 }
            return true
        }
        try store.add(1, at: p("/log/-"))
        final class Box: @unchecked Sendable { let batcher: Batcher; init(_ b: Batcher) { batcher = b } }
        let box = Box(batcher)
        var sender = pthread_t()
        let raw = Unmanaged.passRetained(box).toOpaque()
        pthread_create(&sender, nil, { raw in
            Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue().batcher.flush()
            return nil
        }, raw)
        entered.withLock { while !flags.inside { entered.wait(milliseconds: 10) } }
        try store.add(2, at: p("/log/-"))  // arrives while the first batch is being sent
        entered.withLock { flags.release = true; entered.broadcast() }
        batcher.close(flush: flush)
        let afterClose = got.all.map(\.toVersion)
        #expect(afterClose == (flush ? [1, 2] : [1]))
        pthread_join(sender, nil)
        #expect(got.all.count == afterClose.count)
        #expect(!flags.overlapped)
    }
}
