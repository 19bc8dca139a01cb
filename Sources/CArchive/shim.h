// libarchive (Debian's libarchive-dev): reads and writes the tarballs snapshots travel in,
// with its compression filters (zstd, gzip, xz) and its secure extraction to disk.
#include <archive.h>
#include <archive_entry.h>
