import Exposition
import Foundation
import Model

/// Turns an OpenMetrics file into blocks, as `promtool tsdb create-blocks-from openmetrics`
/// does: every sample needs a timestamp; the data is cut into blocks of `blockDuration`
/// aligned to multiples of it; each block is written with Prometheus's chunk layout.
public enum OpenMetricsBackfill {
    public struct Report: Sendable {
        public var blocks: [BlockMeta]
    }

    public enum Failure: Error, Sendable, CustomStringConvertible {
        case parse(ExpositionError)
        case missingTimestamp(series: Labels, line: Int)
        case append(BlockWriter.AppendError)
        case storage(TSDBError)

        public var description: String {
            switch self {
            case let .parse(error): return "\(error)"
            case let .missingTimestamp(series, line): return "\(line): expected timestamp for series \(series), got none"
            case let .append(error): return "\(error)"
            case let .storage(error): return "\(error)"
            }
        }
    }

    /// The default block duration: 2 h.
    public static let defaultBlockDuration: Int64 = 2 * 3_600_000

    /// Parses `input` and writes its blocks into `directory` (created when missing).
    public static func run(
        _ input: [UInt8], into directory: String, blockDuration: Int64 = defaultBlockDuration,
        progress: ((BlockMeta) -> Void)? = nil
    ) throws(Failure) -> Report {
        // One pass: each sample goes straight into the writer of its block window, which
        // keeps only compressed chunks, so memory stays near the size of the output.
        var parser = OpenMetricsParser(input)
        var writers: [Int64: BlockWriter] = [:]
        while true {
            let entry: ExpositionEntry?
            do throws(ExpositionError) {
                entry = try parser.next()
            } catch {
                throw .parse(error)
            }
            guard let entry else { break }
            guard case let .sample(sample) = entry else { continue }
            guard let t = sample.timestamp else {
                throw .missingTimestamp(series: sample.labels, line: parser.line)
            }
            let window = floorDiv(t, blockDuration) * blockDuration
            do throws(BlockWriter.AppendError) {
                try writers[window, default: BlockWriter(chunkRange: blockDuration)].append(sample.labels, t, sample.value)
            } catch {
                throw .append(error)
            }
        }
        do throws(TSDBError) {
            try FileIO.createDirectory(directory)
        } catch {
            throw .storage(error)
        }
        var generator = SystemRandomNumberGenerator()
        var report = Report(blocks: [])
        for window in writers.keys.sorted() {
            guard var writer = writers.removeValue(forKey: window), !writer.isEmpty else { continue }
            let ulid = ULID(time: Timestamp(Date().timeIntervalSince1970 * 1000), using: &generator)
            do throws(TSDBError) {
                let meta = try writer.write(into: directory, ulid: ulid)
                report.blocks.append(meta)
                progress?(meta)
            } catch {
                throw .storage(error)
            }
        }
        return report
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}
