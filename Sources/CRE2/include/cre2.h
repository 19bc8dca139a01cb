// A minimal C interface to RE2 (Debian's libre2-dev), enough for Prometheus label matchers.
#ifndef HINDSIGHT_CRE2_H
#define HINDSIGHT_CRE2_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// An opaque compiled RE2 regular expression.
typedef struct cre2_regexp cre2_regexp;

/// Compiles `pattern` (UTF-8, `length` bytes) with RE2's Perl-like syntax and `.` matching `\n`
/// (RE2's dot_nl, as Prometheus 3 compiles matchers). Returns NULL on error and, when
/// `error_out` is not NULL, stores a malloc'd NUL-terminated message there (free with cre2_free_error).
cre2_regexp *cre2_compile(const char *pattern, size_t length, char **error_out);

/// Releases a compiled expression. Accepts NULL.
void cre2_release(cre2_regexp *re);

/// Returns 1 when the whole of `text` (`length` bytes) matches, 0 otherwise.
int cre2_full_match(const cre2_regexp *re, const char *text, size_t length);

/// Returns 1 when some part of `text` matches, 0 otherwise.
int cre2_partial_match(const cre2_regexp *re, const char *text, size_t length);

/// Frees an error message returned by cre2_compile.
void cre2_free_error(char *message);

#ifdef __cplusplus
}
#endif

#endif
