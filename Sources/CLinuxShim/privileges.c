#ifndef _GNU_SOURCE
#error You must define _GNU_SOURCE
#endif
#include "CLinuxShim.h"

#include <sched.h>
#include <unistd.h>

int cls_setresuid(uid_t real, uid_t effective, uid_t saved) { return setresuid(real, effective, saved); }
int cls_setresgid(gid_t real, gid_t effective, gid_t saved) { return setresgid(real, effective, saved); }
int cls_getresuid(uid_t *real, uid_t *effective, uid_t *saved) { return getresuid(real, effective, saved); }
int cls_getresgid(gid_t *real, gid_t *effective, gid_t *saved) { return getresgid(real, effective, saved); }
int cls_unshare(int flags) { return unshare(flags); }
