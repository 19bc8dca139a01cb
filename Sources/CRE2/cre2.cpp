#include "cre2.h"

#include <re2/re2.h>
#include <cstdlib>
#include <cstring>
#include <string>

struct cre2_regexp {
    RE2 re;
    cre2_regexp(const re2::StringPiece &pattern, const RE2::Options &options) : re(pattern, options) {}
};

extern "C" cre2_regexp *cre2_compile(const char *pattern, size_t length, char **error_out) {
    RE2::Options options;
    options.set_dot_nl(true);
    options.set_log_errors(false);
    options.set_max_mem(64 << 20);
    cre2_regexp *compiled = new (std::nothrow) cre2_regexp(re2::StringPiece(pattern, length), options);
    if (compiled == nullptr) {
        if (error_out != nullptr) *error_out = strdup("out of memory compiling regular expression");
        return nullptr;
    }
    if (!compiled->re.ok()) {
        if (error_out != nullptr) *error_out = strdup(compiled->re.error().c_str());
        delete compiled;
        return nullptr;
    }
    if (error_out != nullptr) *error_out = nullptr;
    return compiled;
}

extern "C" void cre2_release(cre2_regexp *re) { delete re; }

extern "C" int cre2_full_match(const cre2_regexp *re, const char *text, size_t length) {
    return RE2::FullMatch(re2::StringPiece(text, length), re->re) ? 1 : 0;
}

extern "C" int cre2_partial_match(const cre2_regexp *re, const char *text, size_t length) {
    return RE2::PartialMatch(re2::StringPiece(text, length), re->re) ? 1 : 0;
}

extern "C" void cre2_free_error(char *message) { std::free(message); }
