import Exposition
import Foundation

/// Reads an OpenMetrics file piece by piece (cut at line boundaries), so that importing
/// a file needs memory for one piece, not for the whole file.
struct OpenMetricsFileReader {
    enum Failure: Error {
        case parse(ExpositionError)
        case io(TSDBError)
    }

    private let path: String
    private let fd: Int32
    private let pieceSize: Int
    private var pending: [UInt8] = []
    private var fileDone = false
    private var parser: OpenMetricsParser?
    private var nextLine = 1
    /// The line of the entry last returned.
    private(set) var line = 0

    init(path: String, pieceSize: Int = 8 << 20) throws(TSDBError) {
        self.path = path
        self.pieceSize = pieceSize
        fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw .io(path: path, reason: "cannot open the file: \(String(cString: strerror(errno)))") }
    }

    func close() { _ = Foundation.close(fd) }

    mutating func next() throws(Failure) -> ExpositionEntry? {
        while true {
            if parser == nil {
                guard let piece = try nextPiece() else {
                    throw .parse(ExpositionError(line: max(1, nextLine), column: 1, reason: .missingEOF))
                }
                parser = OpenMetricsParser(fragment: piece, firstLine: nextLine)
                nextLine += piece.count { $0 == UInt8(ascii: "\n") }
            }
            guard var current = parser else { continue }
            let entry: ExpositionEntry?
            do throws(ExpositionError) {
                entry = try current.next()
            } catch {
                throw .parse(error)
            }
            parser = current
            if let entry {
                line = current.line
                return entry
            }
            if current.sawEOF {
                // Nothing may follow `# EOF`, in this piece or later ones.
                if let rest = try nextPiece(), !rest.isEmpty {
                    throw .parse(ExpositionError(line: nextLine, column: 1, reason: .contentAfterEOF))
                }
                return nil
            }
            parser = nil
        }
    }

    /// The next run of whole lines (the last piece may lack a final newline); nil at the end.
    private mutating func nextPiece() throws(Failure) -> [UInt8]? {
        while true {
            if let newline = pending.lastIndex(of: UInt8(ascii: "\n")), !fileDone || newline == pending.count - 1 {
                let piece = Array(pending[...newline])
                pending.removeSubrange(...newline)
                if !piece.isEmpty { return piece }
            }
            if fileDone {
                guard !pending.isEmpty else { return nil }
                defer { pending = [] }
                return pending
            }
            var chunk = [UInt8](repeating: 0, count: pieceSize)
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, pieceSize) }
            if n < 0 { throw .io(.io(path: path, reason: "read failed: \(String(cString: strerror(errno)))")) }
            if n == 0 { fileDone = true } else { pending.append(contentsOf: chunk[..<n]) }
        }
    }
}
