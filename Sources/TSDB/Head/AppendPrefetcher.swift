import CPrefetch

/// Hides the cache misses of a batch append to series last written long ago (a rule's
/// outputs, written once per evaluation with a whole evaluation's queries in between).
///
/// Appending one sample touches four cache lines nobody has read since the previous batch:
/// the series' two lines of state, its open chunk's byte array header (reference count and
/// count) and the chunk's last byte. One after another they cost four trips to memory per
/// sample. The prefetcher asks for the lines of samples ahead of the one being appended, in
/// three steps each reading only what an earlier step brought in: the series' state (its
/// address is the handle), then the array header (the array reference is in that state),
/// then the last byte (its position is the array's count). The trips then overlap. A writer
/// that knows it will append soon can take the first step early (``HeadSeriesHandles/prefetch()``).
/// Hints only: a nil handle is skipped, a stale one costs a wasted hint.
struct AppendPrefetcher {
    /// The series of the batch's samples by position (nil: not known yet).
    let series: UnsafeMutableBufferPointer<MemSeries?>

    /// How far ahead of the sample being appended each step works, in samples.
    static let stateDistance = 16
    private static let headerDistance = 8
    private static let lastByteDistance = 4

    /// Takes the first step for the samples at `positions` (clamped to the batch).
    @inline(__always)
    func prefetchState(_ positions: Range<Int>) {
        for i in positions.clamped(to: 0..<series.count) {
            guard let state = address(i) else { continue }
            cprefetch_for_write(state)
            cprefetch_for_write(state + 64)
        }
    }

    /// Before the first sample: the later steps for the samples the loop starts with (their
    /// state is expected to be on its way already).
    @inline(__always)
    func start() {
        let count = series.count
        for i in 0..<min(count, Self.headerDistance) { prefetchHeader(i) }
        for i in 0..<min(count, Self.lastByteDistance) { prefetchLastByte(i) }
    }

    /// Issues the prefetches due while sample `i` is appended. Call from under the head's
    /// lock: the later steps read the series' state.
    @inline(__always)
    func prepare(_ i: Int) {
        let count = series.count
        if i &+ Self.stateDistance < count { prefetchState(i &+ Self.stateDistance ..< i &+ Self.stateDistance &+ 1) }
        if i &+ Self.headerDistance < count { prefetchHeader(i &+ Self.headerDistance) }
        if i &+ Self.lastByteDistance < count { prefetchLastByte(i &+ Self.lastByteDistance) }
    }

    @inline(__always)
    private func prefetchHeader(_ i: Int) {
        withSeries(i) { $0.appender.prefetchStorageHeader() }
    }

    @inline(__always)
    private func prefetchLastByte(_ i: Int) {
        withSeries(i) { $0.appender.prefetchLastByte() }
    }

    /// The address of slot `i`'s series object, read without retaining it (a retain would
    /// wait for the very line being prefetched).
    @inline(__always)
    private func address(_ i: Int) -> UnsafeRawPointer? {
        let word = UnsafeRawPointer(series.baseAddress!).load(
            fromByteOffset: i &* MemoryLayout<MemSeries?>.stride, as: UInt.self)
        return UnsafeRawPointer(bitPattern: word)
    }

    /// Runs `body` on slot `i`'s series, if any, without retaining it.
    @inline(__always)
    private func withSeries(_ i: Int, _ body: (MemSeries) -> Void) {
        guard let pointer = address(i) else { return }
        Unmanaged<MemSeries>.fromOpaque(pointer)._withUnsafeGuaranteedRef(body)
    }
}

extension XORAppender {
    /// Prefetches the header of the chunk's byte array.
    @inline(__always)
    func prefetchStorageHeader() {
        cprefetch_for_write(UnsafeRawPointer(bitPattern: ArrayStorageLayout.storageAddress(of: writer.bytes)))
    }

    /// Prefetches the chunk's last byte, where the next bits go (reads the array's count).
    @inline(__always)
    func prefetchLastByte() {
        let storage = ArrayStorageLayout.storageAddress(of: writer.bytes)
        guard let header = UnsafeRawPointer(bitPattern: storage) else { return }
        let count = header.load(fromByteOffset: ArrayStorageLayout.countOffset, as: Int.self)
        cprefetch_for_write(header + (ArrayStorageLayout.elementsOffset &+ count &- 1))
    }
}

/// Where a native Swift array of bytes keeps what an append touches: the array value is a
/// reference to a heap object whose header (object header, then count and capacity) is
/// followed by the elements. Read this way the array is not retained (`withUnsafeBufferPointer`
/// retains it: an atomic write to the very line being prefetched). Used for prefetch hints
/// only, where a wrong guess would cost nothing but the hint.
enum ArrayStorageLayout {
    static let countOffset = 2 * MemoryLayout<Int>.size
    static let elementsOffset = 4 * MemoryLayout<Int>.size

    /// The address of the array's storage object.
    @inline(__always)
    static func storageAddress(of array: borrowing [UInt8]) -> UInt {
        withUnsafeBytes(of: array) { $0.load(as: UInt.self) }
    }
}
