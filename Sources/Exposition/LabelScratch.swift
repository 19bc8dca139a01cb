#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Model

/// The labels of the line being parsed, built straight into ``Labels``' packed layout
/// (`varint len, name, varint len, value`, repeated) in one reused buffer, so that no
/// `String` is made per label. When the names arrive sorted (as expositions usually list
/// them, `__name__` first) the buffer already is the final label set and
/// ``ByteScanner/makeLabels(_:start:)`` copies it out with one allocation; otherwise it
/// sorts the spans and packs them again.
///
/// A parser keeps one and reuses its storage line after line. Its memory is raw (no
/// copy-on-write checks on the hot path); it never leaves the parser.
final class LabelScratch {
    /// Where a label's name and value bytes are, in ``base``.
    struct Span {
        var nameStart: Int, nameEnd: Int, valueStart: Int, valueEnd: Int
    }

    /// The packed bytes; ``count`` are in use.
    private(set) var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Bytes in use.
    var count = 0
    private(set) var spans: UnsafeMutablePointer<Span>
    private var spanCapacity: Int
    /// Labels collected.
    private(set) var spanCount = 0
    /// Whether the names so far are strictly increasing (sorted, no duplicates).
    private(set) var isSortedUnique = true

    /// The metric name of the last line that had one and where its bytes are in the input
    /// (see ``ByteScanner/scanMetricName(_:)``); -1 length before the first.
    var lastName = ""
    var lastNameOffset = 0
    var lastNameLength = -1

    init() {
        capacity = 512
        base = .allocate(capacity: capacity)
        spanCapacity = 16
        spans = .allocate(capacity: spanCapacity)
    }

    deinit {
        base.deallocate()
        spans.deallocate()
    }

    @inline(__always)
    func reset() {
        count = 0
        spanCount = 0
        isSortedUnique = true
    }

    /// Makes room for `n` more bytes.
    @inline(__always)
    func reserve(_ n: Int) {
        if count &+ n > capacity { grow(count + n) }
    }

    @inline(never)
    private func grow(_ needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let new = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        new.update(from: base, count: count)
        base.deallocate()
        base = new
        capacity = newCapacity
    }

    /// Appends raw bytes (no length prefix), which must not overlap the buffer.
    @inline(__always)
    func append(_ from: UnsafePointer<UInt8>, _ n: Int) {
        reserve(n)
        LabelScratch.copy(UnsafeRawPointer(from), to: UnsafeMutableRawPointer(base + count), n)
        count &+= n
    }

    /// Copies `n` bytes between runs that do not overlap. Names and values are short: up to
    /// 16 bytes move as two (possibly overlapping) loads and stores instead of a library call.
    @inline(__always)
    static func copy(_ from: UnsafeRawPointer, to: UnsafeMutableRawPointer, _ n: Int) {
        @inline(__always) func move<T: FixedWidthInteger>(_: T.Type, at offset: Int) {
            to.storeBytes(of: from.loadUnaligned(fromByteOffset: offset, as: T.self), toByteOffset: offset, as: T.self)
        }
        switch n {
        case 8...16: move(UInt64.self, at: 0); move(UInt64.self, at: n &- 8)
        case 4..<8: move(UInt32.self, at: 0); move(UInt32.self, at: n &- 4)
        case 2..<4: move(UInt16.self, at: 0); move(UInt16.self, at: n &- 2)
        case 1: move(UInt8.self, at: 0)
        case 0: break
        default: to.copyMemory(from: from, byteCount: n)
        }
    }

    @inline(__always)
    func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count &+= 1
    }

    /// Starts a field: reserves its one-byte length and returns where its bytes start.
    @inline(__always)
    func beginField() -> Int {
        reserve(1)
        count &+= 1
        return count
    }

    /// Ends the field that started at `start` (from ``beginField()``): writes its length and
    /// returns where its bytes start now (later when the length needs more than one byte).
    @inline(__always)
    func endField(_ start: Int) -> Int {
        let length = count &- start
        if length < 0x80 {
            base[start &- 1] = UInt8(truncatingIfNeeded: length)
            return start
        }
        return widenLength(start, length)
    }

    @inline(never)
    private func widenLength(_ start: Int, _ length: Int) -> Int {
        var extra = 0, n = length >> 7
        while n > 0 { extra += 1; n >>= 7 }
        reserve(extra)
        (base + start + extra).update(from: base + start, count: length)
        var k = start - 1, v = length
        while v >= 0x80 {
            base[k] = UInt8(truncatingIfNeeded: v) | 0x80
            k += 1
            v >>= 7
        }
        base[k] = UInt8(v)
        count += extra
        return start + extra
    }

    /// Records a label whose name and value fields are complete.
    @inline(__always)
    func addSpan(nameStart: Int, nameEnd: Int, valueStart: Int) {
        let span = Span(nameStart: nameStart, nameEnd: nameEnd, valueStart: valueStart, valueEnd: count)
        if spanCount > 0, isSortedUnique {
            let previous = spans[spanCount &- 1]
            if compareNames(previous, span) >= 0 { isSortedUnique = false }
        }
        if spanCount == spanCapacity { growSpans() }
        spans[spanCount] = span
        spanCount &+= 1
    }

    @inline(never)
    private func growSpans() {
        let new = UnsafeMutablePointer<Span>.allocate(capacity: spanCapacity * 2)
        new.update(from: spans, count: spanCount)
        spans.deallocate()
        spans = new
        spanCapacity *= 2
    }

    @inline(__always)
    func name(_ span: Span) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + span.nameStart, count: span.nameEnd &- span.nameStart)
    }

    @inline(__always)
    func value(_ span: Span) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + span.valueStart, count: span.valueEnd &- span.valueStart)
    }

    /// Byte-order comparison of two names (bytes, then length).
    @inline(__always)
    func compareNames(_ a: Span, _ b: Span) -> Int {
        let an = a.nameEnd &- a.nameStart, bn = b.nameEnd &- b.nameStart
        let n = Swift.min(an, bn)
        let pa = base + a.nameStart, pb = base + b.nameStart
        // Names usually differ early: a byte loop beats a library call.
        var i = 0
        while i < n {
            let x = pa[i], y = pb[i]
            if x != y { return x < y ? -1 : 1 }
            i &+= 1
        }
        return an == bn ? 0 : (an < bn ? -1 : 1)
    }

    /// Adds `__name__` with the value `name`.
    @inline(__always)
    func addMetricName(_ name: UnsafeBufferPointer<UInt8>) {
        let field: StaticString = "\u{8}__name__"
        let nameStart = count &+ 1
        append(field.utf8Start, 9)
        var valueStart = beginField()
        if let p = name.baseAddress { append(p, name.count) }
        valueStart = endField(valueStart)
        addSpan(nameStart: nameStart, nameEnd: nameStart &+ 8, valueStart: valueStart)
    }

    /// A whole label from two byte buffers.
    func add(_ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) {
        var nameStart = beginField()
        if let p = name.baseAddress { append(p, name.count) }
        nameStart = endField(nameStart)
        let nameEnd = count
        var valueStart = beginField()
        if let p = value.baseAddress { append(p, value.count) }
        valueStart = endField(valueStart)
        addSpan(nameStart: nameStart, nameEnd: nameEnd, valueStart: valueStart)
    }

    /// Adds a whole label from two strings (the metric name, quoted names).
    func add(_ name: String, _ value: String) {
        UTF8Bytes.with(name) { n in UTF8Bytes.with(value) { v in add(n, v) } }
    }

    /// The value of the label `name` collected so far, if any.
    func value(named name: String) -> String? {
        UTF8Bytes.with(name) { wanted in
            for k in 0..<spanCount where UTF8Bytes.equal(self.name(spans[k]), wanted) {
                return String(decoding: value(spans[k]), as: UTF8.self)
            }
            return nil
        }
    }

    /// Characters (UTF-8 sequence starts) in all names and values.
    var characterCount: Int {
        var total = 0
        for k in 0..<spanCount {
            for b in name(spans[k]) where b & 0xC0 != 0x80 { total += 1 }
            for b in value(spans[k]) where b & 0xC0 != 0x80 { total += 1 }
        }
        return total
    }

    /// Sorts the spans by name; returns the index of a duplicate name, if any.
    func sortSpans() -> Int? {
        // Insertion sort: label sets are small.
        for i in 1..<Swift.max(spanCount, 1) {
            let item = spans[i]
            var j = i - 1
            while j >= 0, compareNames(item, spans[j]) < 0 {
                spans[j + 1] = spans[j]
                j -= 1
            }
            spans[j + 1] = item
        }
        for i in 1..<Swift.max(spanCount, 1) where compareNames(spans[i - 1], spans[i]) == 0 {
            return i
        }
        return nil
    }

    /// The labels packed in span order, appended after the bytes in use; returns their range.
    func repack() -> Range<Int> {
        let first = count
        func field(_ from: Int, _ to: Int) {
            var n = to - from
            while n >= 0x80 {
                append(UInt8(truncatingIfNeeded: n) | 0x80)
                n >>= 7
            }
            append(UInt8(n))
            // `base` may move while reserving: copy through offsets.
            reserve(to - from)
            (base + count).update(from: base + from, count: to - from)
            count += to - from
        }
        for k in 0..<spanCount {
            let span = spans[k]
            field(span.nameStart, span.nameEnd)
            field(span.valueStart, span.valueEnd)
        }
        return first..<count
    }
}
