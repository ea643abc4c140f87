#ifndef BRIDGEKEEPER_CPCAP_SHIM_H
#define BRIDGEKEEPER_CPCAP_SHIM_H
#include <netinet/in.h>
#include <pcap/pcap.h>
#endif
