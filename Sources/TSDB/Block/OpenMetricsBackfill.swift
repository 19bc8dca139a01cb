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

    /// Reads the OpenMetrics file at `path` piece by piece and writes its blocks into
    /// `directory` (created when missing). Memory holds one piece of the input and the
    /// compressed chunks of the blocks being built.
    public static func run(
        file path: String, into directory: String, blockDuration: Int64 = defaultBlockDuration,
        progress: ((BlockMeta) -> Void)? = nil
    ) throws(Failure) -> Report {
        var parser: OpenMetricsFileReader
        do throws(TSDBError) {
            parser = try OpenMetricsFileReader(path: path)
        } catch {
            throw .storage(error)
        }
        defer { parser.close() }
        var writers: [Int64: BlockWriter] = [:]
        while true {
            let entry: ExpositionEntry?
            do throws(OpenMetricsFileReader.Failure) {
                entry = try parser.next()
            } catch {
                switch error {
                case let .parse(e): throw .parse(e)
                case let .io(e): throw .storage(e)
                }
            }
            guard let entry else { break }
            guard case let .sample(sample) = entry else { continue }
            guard let t = sample.timestamp else {
                throw .missingTimestamp(series: sample.labels, line: parser.line)
            }
            let window = floorDivide(t, blockDuration) * blockDuration
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
}
