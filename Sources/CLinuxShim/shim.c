#ifndef _GNU_SOURCE
#error You must define _GNU_SOURCE
#endif
#include "CLinuxShim.h"

#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>

int cls_ppoll(struct pollfd *fds, unsigned long count, const struct timespec *timeout) {
    return ppoll(fds, (nfds_t)count, timeout, NULL);
}

int cls_thread_attr_set_cpus(pthread_attr_t *attr, const int *cpus, int count) {
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int index = 0; index < count; index++) {
        if (cpus[index] < 0 || cpus[index] >= CPU_SETSIZE) return EINVAL;
        CPU_SET(cpus[index], &set);
    }
    return pthread_attr_setaffinity_np(attr, sizeof(set), &set);
}

int cls_set_current_thread_name(const char *name) {
    char shortened[16];
    strncpy(shortened, name, sizeof(shortened) - 1);
    shortened[sizeof(shortened) - 1] = 0;
    return pthread_setname_np(pthread_self(), shortened);
}
