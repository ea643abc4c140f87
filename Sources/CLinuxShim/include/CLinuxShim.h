#ifndef BRIDGEKEEPER_CLINUXSHIM_H
#define BRIDGEKEEPER_CLINUXSHIM_H
/* Linux headers and function-like macros that Swift cannot import, as static inline functions.
   <netinet/in.h> comes first so the uapi headers do not redefine in_addr. */
#ifdef __linux__
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <net/if.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>

static inline unsigned int cls_tpacket_align(unsigned int x) { return TPACKET_ALIGN(x); }
static inline unsigned int cls_tpacket2_hdrlen(void) { return TPACKET2_HDRLEN; }
#endif
#endif
