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

/// Compiles `pattern` with Go's `regexp` defaults (`.` does not match `\n`). On error returns
/// NULL and, when not NULL, stores a malloc'd message in `error_out`, RE2's error code in
/// `error_code` and the offending fragment (malloc'd) in `error_arg` (free both with cre2_free_error).
cre2_regexp *cre2_compile_go(const char *pattern, size_t length, char **error_out, int *error_code, char **error_arg);

/// The number of capturing groups.
int cre2_number_of_groups(const cre2_regexp *re);

/// The index of the capturing group named `name` (`length` bytes), or -1.
int cre2_group_index(const cre2_regexp *re, const char *name, size_t length);

/// Searches `text` (`length` bytes) from byte `startpos` (the text before it is context for `^`
/// and `\b`). On a match returns 1 and stores the start and end offsets of the whole match and
/// of each of the `ngroups` groups in `offsets` (2 * (ngroups + 1) entries, -1 for a group
/// that did not participate); returns 0 otherwise.
int cre2_match_at(const cre2_regexp *re, const char *text, size_t length, size_t startpos, long *offsets, int ngroups);

/// Frees an error message returned by cre2_compile.
void cre2_free_error(char *message);

#ifdef __cplusplus
}
#endif

#endif
