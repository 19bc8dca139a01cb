// Snappy's C interface (Debian's libsnappy-dev): Prometheus compresses WAL records and
// remote-write bodies with snappy's block format.
#include <snappy-c.h>
