/* A C target needs one .c file; everything lives in the header as static inline functions. */
#include "CFuzzShim.h"
