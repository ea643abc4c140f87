#ifndef _GNU_SOURCE
#error You must define _GNU_SOURCE
#endif
#include "CLinuxShim.h"

#include <poll.h>
#include <signal.h>

int cls_ppoll(struct pollfd *fds, unsigned long count, const struct timespec *timeout) {
    return ppoll(fds, (nfds_t)count, timeout, NULL);
}
