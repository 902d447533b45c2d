/* ipv4kit.h - umbrella header: the whole public API of ipv4kit. */
#ifndef IPV4KIT_IPV4KIT_H
#define IPV4KIT_IPV4KIT_H

#include "bpf.h"
#include "bytes.h"
#include "checksum.h"
#include "cmsg.h"
#include "common.h"
#include "error.h"
#include "fmt.h"
#include "harness.h"
#include "conform.h"
#include "host.h"
#include "igmp.h"
#include "ip4.h"
#include "ipopt.h"
#include "l4.h"
#include "link.h"
#include "mutate.h"
#include "packet.h"
#include "pcapio.h"
#include "querier.h"
#include "reasm.h"
#include "sock.h"
#include <ipv4kit/version.h> /* generated into the build tree */

#endif
