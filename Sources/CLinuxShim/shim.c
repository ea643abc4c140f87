#ifndef _GNU_SOURCE
#error You must define _GNU_SOURCE
#endif
#include "CLinuxShim.h"
