/// Integer division rounding towards negative infinity (Swift's `/` truncates towards
/// zero): the block, slot and second a negative timestamp falls in, as Go's time arithmetic
/// and Prometheus's alignment rules expect.
@inlinable
public func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
