#ifndef BRIDGEKEEPER_CNFTNL_SHIM_H
#define BRIDGEKEEPER_CNFTNL_SHIM_H
/* libnftnl + libmnl for the nftables mirror, and the rtnetlink headers for the fail-open kernel
   bridge. <netinet/in.h> must come before any <linux/...> header, or in_addr is defined twice. */
#include <stdint.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <libmnl/libmnl.h>
#include <libnftnl/table.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/expr.h>
#include <libnftnl/set.h>
#include <libnftnl/batch.h>
#include <libnftnl/gen.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#endif
