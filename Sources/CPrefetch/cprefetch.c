// The prefetch hint is a static inline function in include/cprefetch.h (inlined into Swift);
// this file only makes the target a C library.
#include "cprefetch.h"
