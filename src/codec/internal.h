/* internal.h - what every codec source includes: the public byte helpers (ipv4kit/bytes.h) and the error codes. Private to src/codec. */
#ifndef IPK_INTERNAL_H
#define IPK_INTERNAL_H

#include "ipv4kit/bytes.h"
#include "ipv4kit/common.h"
#include "ipv4kit/error.h"

#endif
