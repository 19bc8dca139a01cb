import Model

/// `deriv` and `predict_linear`: a least-squares line through the window's samples.
enum Regression {
    /// The slope (per second) and the value at `interceptTime` (ms) of the least-squares
    /// line through `samples`, with compensated sums of x = seconds since `interceptTime`,
    /// as Prometheus's `linearRegression`. A constant series has slope 0 (NaN if the constant
    /// is infinite).
    static func linearRegression(_ samples: ArraySlice<Sample>, interceptTime: Int64) -> (slope: Double, intercept: Double) {
        var n = 0.0
        var sumX = 0.0, cX = 0.0
        var sumY = 0.0, cY = 0.0
        var sumXY = 0.0, cXY = 0.0
        var sumX2 = 0.0, cX2 = 0.0
        let initialY = samples.first?.value ?? .nan
        var constantY = true
        for (i, sample) in samples.enumerated() {
            if constantY && i > 0 && sample.value != initialY { constantY = false }
            n += 1
            let x = Double(sample.timestamp - interceptTime) / 1e3
            (sumX, cX) = FloatMath.kahanSumInc(x, sum: sumX, compensation: cX)
            (sumY, cY) = FloatMath.kahanSumInc(sample.value, sum: sumY, compensation: cY)
            (sumXY, cXY) = FloatMath.kahanSumInc(x * sample.value, sum: sumXY, compensation: cXY)
            (sumX2, cX2) = FloatMath.kahanSumInc(x * x, sum: sumX2, compensation: cX2)
        }
        if constantY {
            if initialY.isInfinite { return (.nan, .nan) }
            return (0, initialY)
        }
        sumX += cX
        sumY += cY
        sumXY += cXY
        sumX2 += cX2
        let covXY = sumXY - sumX * sumY / n
        let varX = sumX2 - sumX * sumX / n
        let slope = covXY / varX
        let intercept = sumY / n - slope * sumX / n
        return (slope, intercept)
    }

    /// `deriv`: the slope per second (x measured from the first sample). Needs two samples.
    static func derivative(_ window: RangeWindow) -> Double? {
        guard window.samples.count >= 2, let first = window.samples.first else { return nil }
        return linearRegression(window.samples, interceptTime: first.timestamp).slope
    }

    /// `predict_linear(v, t)`: the line's value `seconds` after `evaluationTime` (the step's
    /// time, Prometheus's `enh.Ts`). Needs two samples.
    static func predict(_ window: RangeWindow, seconds: Double, evaluationTime: Int64) -> Double? {
        guard window.samples.count >= 2 else { return nil }
        let (slope, intercept) = linearRegression(window.samples, interceptTime: evaluationTime)
        return slope * seconds + intercept
    }
}
