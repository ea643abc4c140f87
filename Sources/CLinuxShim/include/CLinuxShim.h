#ifndef BRIDGEKEEPER_CLINUXSHIM_H
#define BRIDGEKEEPER_CLINUXSHIM_H
/* Linux headers and function-like macros that Swift cannot import, as static inline functions.
   <netinet/in.h> comes first so the uapi headers do not redefine in_addr. */
#ifdef __linux__
#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/ethtool.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <poll.h>
#include <pthread.h>
#include <time.h>
#include <sys/signalfd.h>
#include <sys/eventfd.h>

/* ---- Waiting ---- */

/* ppoll() with a nanosecond timeout (glibc declares it only under _GNU_SOURCE, which modules
   importing this header do not see); implemented in shim.c. */
int cls_ppoll(struct pollfd *fds, unsigned long count, const struct timespec *timeout);

/* ---- TPACKET geometry ---- */

static inline unsigned int cls_tpacket_align(unsigned int x) { return TPACKET_ALIGN(x); }
static inline unsigned int cls_tpacket2_hdrlen(void) { return TPACKET2_HDRLEN; }
static inline unsigned int cls_tpacket3_hdrlen(void) { return TPACKET3_HDRLEN; }
/* Where a V2 TX frame's data starts when PACKET_TX_HAS_OFF is not set. */
static inline unsigned int cls_tpacket2_tx_data_offset(void) {
    return TPACKET2_HDRLEN - sizeof(struct sockaddr_ll);
}
static inline unsigned int cls_tp_status_ts_mask(void) {
    return TP_STATUS_TS_SOFTWARE | TP_STATUS_TS_SYS_HARDWARE | TP_STATUS_TS_RAW_HARDWARE;
}

/* ---- Ring ownership words: acquire when reading the kernel's hand-over, release when handing back ---- */

static inline uint32_t cls_load_acquire_u32(const void *word) {
    return __atomic_load_n((const uint32_t *)word, __ATOMIC_ACQUIRE);
}
/* A spin-wait hint (PAUSE on x86, YIELD on arm64) between busy-poll checks. */
static inline void cls_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}
static inline void cls_store_release_u32(void *word, uint32_t value) {
    __atomic_store_n((uint32_t *)word, value, __ATOMIC_RELEASE);
}
static inline void cls_store_relaxed_u32(void *word, uint32_t value) {
    __atomic_store_n((uint32_t *)word, value, __ATOMIC_RELAXED);
}
static inline void *cls_v3_block_status(struct tpacket_block_desc *block) {
    return &block->hdr.bh1.block_status;
}

/* ---- ioctl (variadic in libc, so Swift cannot call it) ---- */

static inline int cls_ioctl_pointer(int fd, unsigned long request, void *argument) {
    return ioctl(fd, request, argument);
}

/* Copies `name` into an ifreq; returns -1 with errno ENAMETOOLONG when it does not fit. */
static inline int cls_ifreq_init(struct ifreq *request, const char *name) {
    memset(request, 0, sizeof(*request));
    if (strlen(name) >= IFNAMSIZ) { errno = ENAMETOOLONG; return -1; }
    strncpy(request->ifr_name, name, IFNAMSIZ - 1);
    return 0;
}

/* Interface flags (IFF_UP, IFF_RUNNING, ...); return 0 or -1 with errno. */
static inline int cls_interface_get_flags(int fd, const char *name, int *flags) {
    struct ifreq request;
    if (cls_ifreq_init(&request, name) != 0) return -1;
    if (ioctl(fd, SIOCGIFFLAGS, &request) != 0) return -1;
    *flags = (unsigned short)request.ifr_flags;
    return 0;
}
static inline int cls_interface_set_flags(int fd, const char *name, int flags) {
    struct ifreq request;
    if (cls_ifreq_init(&request, name) != 0) return -1;
    request.ifr_flags = (short)flags;
    return ioctl(fd, SIOCSIFFLAGS, &request);
}
static inline int cls_interface_get_mtu(int fd, const char *name, int *mtu) {
    struct ifreq request;
    if (cls_ifreq_init(&request, name) != 0) return -1;
    if (ioctl(fd, SIOCGIFMTU, &request) != 0) return -1;
    *mtu = request.ifr_mtu;
    return 0;
}
static inline int cls_interface_set_mtu(int fd, const char *name, int mtu) {
    struct ifreq request;
    if (cls_ifreq_init(&request, name) != 0) return -1;
    request.ifr_mtu = mtu;
    return ioctl(fd, SIOCSIFMTU, &request);
}
/* SIOCETHTOOL with `command` pointing at an ethtool_* struct whose first word is the command. */
static inline int cls_ethtool(int fd, const char *name, void *command) {
    struct ifreq request;
    if (cls_ifreq_init(&request, name) != 0) return -1;
    request.ifr_data = command;
    return ioctl(fd, SIOCETHTOOL, &request);
}

/* ---- TUN/TAP ---- */

/* TUNSETIFF; `name` may be empty (the kernel picks one); the final name is written to `chosen`
   (IFNAMSIZ bytes). Returns 0 or -1 with errno. */
static inline int cls_tun_set_interface(int fd, const char *name, short flags, char *chosen) {
    struct ifreq request;
    if (cls_ifreq_init(&request, name) != 0) return -1;
    request.ifr_flags = flags;
    if (ioctl(fd, TUNSETIFF, &request) != 0) return -1;
    memcpy(chosen, request.ifr_name, IFNAMSIZ);
    return 0;
}

static inline int cls_set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) return -1;
    return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/* ---- netlink alignment ---- */

static inline unsigned int cls_nlmsg_align(unsigned int length) { return NLMSG_ALIGN(length); }
static inline unsigned int cls_nlmsg_hdrlen(void) { return NLMSG_HDRLEN; }
static inline unsigned int cls_nlmsg_length(unsigned int length) { return NLMSG_LENGTH(length); }
static inline unsigned int cls_rta_align(unsigned int length) { return RTA_ALIGN(length); }
static inline unsigned int cls_rta_length(unsigned int length) { return RTA_LENGTH(length); }

/* ---- network namespaces (setns is _GNU_SOURCE-only in glibc) ---- */

/* Moves the calling thread into the network namespace `fd` refers to; returns 0 or an errno value. */
static inline int cls_enter_network_namespace(int fd) {
    if (syscall(SYS_setns, fd, 0x40000000 /* CLONE_NEWNET */) != 0) return errno;
    return 0;
}

/* ---- CPU affinity (glibc's CPU_SET macros need _GNU_SOURCE, which importers do not get) ---- */

#define CLS_CPU_WORDS 16 /* 1024 CPUs */
#define CLS_WORD_BITS (8 * (int)sizeof(unsigned long))

/* Pins the calling thread (sched_setaffinity on tid 0) to `cpus`; returns 0 or an errno value. */
static inline int cls_pin_current_thread(const int *cpus, int count) {
    unsigned long mask[CLS_CPU_WORDS];
    memset(mask, 0, sizeof(mask));
    for (int index = 0; index < count; index++) {
        int cpu = cpus[index];
        if (cpu < 0 || cpu >= CLS_CPU_WORDS * CLS_WORD_BITS) return EINVAL;
        mask[cpu / CLS_WORD_BITS] |= 1UL << (cpu % CLS_WORD_BITS);
    }
    if (syscall(SYS_sched_setaffinity, 0, sizeof(mask), mask) != 0) return errno;
    return 0;
}

/* Writes the calling thread's CPUs into `cpus` (at most `capacity`); returns the count or -errno. */
static inline int cls_current_thread_cpus(int *cpus, int capacity) {
    unsigned long mask[CLS_CPU_WORDS];
    memset(mask, 0, sizeof(mask));
    long bytes = syscall(SYS_sched_getaffinity, 0, sizeof(mask), mask);
    if (bytes < 0) return -errno;
    int count = 0;
    for (int cpu = 0; cpu < (int)bytes * 8 && count < capacity; cpu++) {
        if (mask[cpu / CLS_WORD_BITS] & (1UL << (cpu % CLS_WORD_BITS))) cpus[count++] = cpu;
    }
    return count;
}

/* ---- Threads (pthread_attr_setaffinity_np and pthread_setname_np are GNU extensions: shim.c) ---- */

/* Sets the CPUs a thread created with `attr` starts on; returns 0 or an errno value. */
int cls_thread_attr_set_cpus(pthread_attr_t *attr, const int *cpus, int count);

/* Names the calling thread (the first 15 bytes show in `ps -L`, `top -H`); returns 0 or an errno value. */
int cls_set_current_thread_name(const char *name);
#endif

#include "CLinuxShimPrivileges.h"
#endif
