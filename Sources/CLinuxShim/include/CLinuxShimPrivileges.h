#ifndef BRIDGEKEEPER_CLINUXSHIM_PRIVILEGES_H
#define BRIDGEKEEPER_CLINUXSHIM_PRIVILEGES_H
/* Identity and capability calls for dropping privileges (Operations module): prctl is variadic,
   capget/capset have no glibc wrapper, setresuid/setresgid/unshare are _GNU_SOURCE-only, and the
   per-thread credential calls must bypass glibc (which broadcasts set*id calls to every thread). */
#ifdef __linux__
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>
#include <linux/capability.h>

/* The three capability sets of the calling thread, one bit per capability number. */
typedef struct {
    uint64_t effective;
    uint64_t permitted;
    uint64_t inheritable;
} cls_capability_sets;

/* capget(2) for the calling thread; returns 0 or -1 with errno. */
static inline int cls_capget(cls_capability_sets *sets) {
    struct __user_cap_header_struct header;
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
    memset(&header, 0, sizeof(header));
    memset(data, 0, sizeof(data));
    header.version = _LINUX_CAPABILITY_VERSION_3;
    if (syscall(SYS_capget, &header, data) != 0) return -1;
    sets->effective = (uint64_t)data[1].effective << 32 | data[0].effective;
    sets->permitted = (uint64_t)data[1].permitted << 32 | data[0].permitted;
    sets->inheritable = (uint64_t)data[1].inheritable << 32 | data[0].inheritable;
    return 0;
}

/* capset(2) for the calling thread only; returns 0 or -1 with errno. */
static inline int cls_capset(const cls_capability_sets *sets) {
    struct __user_cap_header_struct header;
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
    memset(&header, 0, sizeof(header));
    memset(data, 0, sizeof(data));
    header.version = _LINUX_CAPABILITY_VERSION_3;
    data[0].effective = (uint32_t)sets->effective;
    data[1].effective = (uint32_t)(sets->effective >> 32);
    data[0].permitted = (uint32_t)sets->permitted;
    data[1].permitted = (uint32_t)(sets->permitted >> 32);
    data[0].inheritable = (uint32_t)sets->inheritable;
    data[1].inheritable = (uint32_t)(sets->inheritable >> 32);
    return (int)syscall(SYS_capset, &header, data);
}

/* prctl(2) with all four arguments (variadic in libc, so Swift cannot call it). */
static inline int cls_prctl(int option, unsigned long second, unsigned long third, unsigned long fourth,
                            unsigned long fifth) {
    return prctl(option, second, third, fourth, fifth);
}

/* Per-thread credential changes (raw system calls: glibc would apply them to every thread). Used to
   look at a file with another user's eyes on one thread and then turn back. */
static inline int cls_thread_setgroups(size_t count, const gid_t *groups) {
    return (int)syscall(SYS_setgroups, count, groups);
}
static inline int cls_thread_setfsuid(uid_t uid) { return (int)syscall(SYS_setfsuid, uid); }
static inline int cls_thread_setfsgid(gid_t gid) { return (int)syscall(SYS_setfsgid, gid); }

/* Process-wide (every thread, through glibc's broadcast); implemented in privileges.c. */
int cls_setresuid(uid_t real, uid_t effective, uid_t saved);
int cls_setresgid(gid_t real, gid_t effective, gid_t saved);
int cls_getresuid(uid_t *real, uid_t *effective, uid_t *saved);
int cls_getresgid(gid_t *real, gid_t *effective, gid_t *saved);
int cls_unshare(int flags);
#endif
#endif
