#include "cre2.h"

#include <re2/re2.h>
#include <cstdlib>
#include <cstring>
#include <map>
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

// ---- Go `regexp` semantics for templates (reReplaceAll, match) ----

extern "C" cre2_regexp *cre2_compile_go(const char *pattern, size_t length, char **error_out, int *error_code, char **error_arg) {
    RE2::Options options;
    options.set_log_errors(false);
    options.set_max_mem(64 << 20);
    cre2_regexp *compiled = new (std::nothrow) cre2_regexp(re2::StringPiece(pattern, length), options);
    if (error_code != nullptr) *error_code = 0;
    if (error_arg != nullptr) *error_arg = nullptr;
    if (compiled == nullptr) {
        if (error_out != nullptr) *error_out = strdup("out of memory compiling regular expression");
        if (error_code != nullptr) *error_code = -1;
        return nullptr;
    }
    if (!compiled->re.ok()) {
        if (error_out != nullptr) *error_out = strdup(compiled->re.error().c_str());
        if (error_code != nullptr) *error_code = static_cast<int>(compiled->re.error_code());
        if (error_arg != nullptr) *error_arg = strdup(compiled->re.error_arg().c_str());
        delete compiled;
        return nullptr;
    }
    if (error_out != nullptr) *error_out = nullptr;
    return compiled;
}

extern "C" int cre2_number_of_groups(const cre2_regexp *re) {
    return re->re.NumberOfCapturingGroups();
}

extern "C" int cre2_group_index(const cre2_regexp *re, const char *name, size_t length) {
    const std::map<std::string, int> &groups = re->re.NamedCapturingGroups();
    auto it = groups.find(std::string(name, length));
    return it == groups.end() ? -1 : it->second;
}

extern "C" int cre2_match_at(const cre2_regexp *re, const char *text, size_t length, size_t startpos, long *offsets, int ngroups) {
    int n = ngroups + 1;
    re2::StringPiece *sub = new (std::nothrow) re2::StringPiece[n];
    if (sub == nullptr) return 0;
    bool ok = re->re.Match(re2::StringPiece(text, length), startpos, length, RE2::UNANCHORED, sub, n);
    if (ok) {
        for (int i = 0; i < n; i++) {
            if (sub[i].data() == nullptr) {
                offsets[2 * i] = -1;
                offsets[2 * i + 1] = -1;
            } else {
                offsets[2 * i] = static_cast<long>(sub[i].data() - text);
                offsets[2 * i + 1] = static_cast<long>(sub[i].data() - text + sub[i].size());
            }
        }
    }
    delete[] sub;
    return ok ? 1 : 0;
}
