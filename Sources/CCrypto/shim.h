// OpenSSL's libcrypto (Debian's libssl-dev), for the SHA-256 of every file a snapshot
// carries: its EVP digests use the CPU's SHA instructions where there are some.
#include <openssl/evp.h>
