import Foundation

extension WriteAheadLog {
    /// Writes a checkpoint: the records needed to replace segments `0...segment`, so those
    /// segments can be deleted (``removeSegments(before:)``) and replay stays short.
    ///
    /// The caller decides what to keep (typically the series still in the head and their
    /// samples newer than the head's minimum time). The checkpoint is the folder
    /// `checkpoint.%08d` (as in Prometheus) inside `directory`, holding a WAL in the same
    /// format. It is written to `checkpoint.%08d.tmp` first, fsynced, then renamed, so a crash
    /// leaves either the old or the new checkpoint, never a partial one. Older checkpoints
    /// and leftover temporary folders are then removed.
    public static func checkpoint(directory: String, through segment: Int, records: [[UInt8]]) throws(TSDBError) {
        let name = checkpointPrefix + WALFormat.segmentName(segment)
        let destination = directory + "/" + name
        let temporary = destination + ".tmp"
        try WALFile.removeTree(temporary)
        try FileIO.createDirectory(temporary)

        let log = try WriteAheadLog(directory: temporary)
        do throws(TSDBError) {
            // Batches bound the memory of the write buffer.
            var batch: [[UInt8]] = []
            var batchBytes = 0
            for record in records {
                batch.append(record)
                batchBytes += record.count
                if batchBytes >= 4 << 20 {
                    try log.log(batch)
                    batch.removeAll(keepingCapacity: true)
                    batchBytes = 0
                }
            }
            try log.log(batch)
            try log.close()
        } catch {
            try? log.close()
            try? WALFile.removeTree(temporary)
            throw error
        }
        try FileIO.syncDirectory(temporary)

        // Rename cannot replace a non-empty folder, so a checkpoint of the same index is
        // removed first (Prometheus does the same).
        try WALFile.removeTree(destination)
        guard rename(temporary, destination) == 0 else {
            throw .io(path: temporary, reason: "cannot rename the checkpoint to \(name): \(WALFormat.errnoText())")
        }
        try FileIO.syncDirectory(directory)

        for old in checkpoints(in: directory) where old.index < segment {
            try WALFile.removeTree(old.path)
        }
        for leftover in temporaryCheckpoints(in: directory) {
            try WALFile.removeTree(leftover)
        }
        try FileIO.syncDirectory(directory)
    }

    /// The newest complete checkpoint in `directory` (temporary folders are ignored), with
    /// the index of the last segment it covers; nil when there is none.
    public static func lastCheckpoint(directory: String) -> (path: String, index: Int)? {
        checkpoints(in: directory).last
    }

    static let checkpointPrefix = "checkpoint."

    /// `checkpoint.<digits>` folders, sorted by index.
    static func checkpoints(in directory: String) -> [(path: String, index: Int)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var result: [(path: String, index: Int)] = []
        for name in names where name.hasPrefix(checkpointPrefix) {
            let digits = name.dropFirst(checkpointPrefix.count)
            guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let index = Int(digits) else { continue }
            let path = directory + "/" + name
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            result.append((path, index))
        }
        result.sort { $0.index < $1.index }
        return result
    }

    /// `checkpoint.<digits>.tmp` folders left by an interrupted checkpoint.
    static func temporaryCheckpoints(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasPrefix(checkpointPrefix) && $0.hasSuffix(".tmp") }.sorted().map { directory + "/" + $0 }
    }
}
