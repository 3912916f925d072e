// Mirrors Responder.handleFrame in @lb/arp for ARP: a frame is answered only when it decodes
// (Ethernet, at most one 802.1Q tag, Ethernet/IPv4 ARP), was not sent from our MAC, carries the
// interface's VLAN (or no tag on an untagged interface), is a request, is broadcast or addressed to
// us, and asks for an address in the table. The reply is byte for byte what the TypeScript
// responder encodes; a property test in @lb/arp holds the two to that.
#include "decide.h"

#include <stdlib.h>
#include <string.h>

#define ETHERTYPE_ARP 0x0806
#define ETHERTYPE_VLAN 0x8100
#define ARP_LENGTH 28
#define ARP_REQUEST 1
#define ARP_REPLY 2

static unsigned be16(const uint8_t *p) { return ((unsigned)p[0] << 8) | p[1]; }

static void put16(uint8_t *p, unsigned v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

static int compare_addresses(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

void fp_sort_addresses(uint32_t *addresses, size_t count) {
  if (count > 1) qsort(addresses, count, sizeof *addresses, compare_addresses);
}

static const uint8_t BROADCAST[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t ZERO[6] = {0, 0, 0, 0, 0, 0};

size_t fp_decide(const fp_table *table, const uint8_t *frame, size_t length, uint8_t reply[FP_REPLY_MAX], size_t *index) {
  if (length < 14) return 0;
  unsigned ethertype = be16(frame + 12);
  size_t at = 14;
  int tagged = 0;
  unsigned tci = 0;
  if (ethertype == ETHERTYPE_VLAN) {
    if (length < 18) return 0;
    tagged = 1;
    tci = be16(frame + 14);
    ethertype = be16(frame + 16);
    at = 18;
  }
  if (ethertype != ETHERTYPE_ARP || length - at < ARP_LENGTH) return 0;
  const uint8_t *arp = frame + at;
  if (be16(arp) != 1 || be16(arp + 2) != 0x0800 || arp[4] != 6 || arp[5] != 4) return 0;

  const uint8_t *dst = frame, *src = frame + 6;
  if (memcmp(src, table->mac, 6) == 0) return 0;
  if (tagged ? table->vlan != (int)(tci & 0x0fff) : table->vlan != FP_NO_VLAN) return 0;
  if (be16(arp + 6) != ARP_REQUEST) return 0;
  if (memcmp(dst, BROADCAST, 6) != 0 && memcmp(dst, table->mac, 6) != 0) return 0;

  uint32_t target;
  memcpy(&target, arp + 24, 4);
  const uint32_t *found = table->count == 0 ? NULL : bsearch(&target, table->addresses, table->count, sizeof target, compare_addresses);
  if (!found) return 0;
  *index = (size_t)(found - table->addresses);

  const uint8_t *sha = arp + 8, *spa = arp + 14, *tpa = arp + 24;
  // Probes from odd stacks leave the sender hardware address zero or multicast: answer the frame's source.
  const uint8_t *to = memcmp(sha, ZERO, 6) == 0 || (sha[0] & 1) ? src : sha;
  memcpy(reply, to, 6);
  memcpy(reply + 6, table->mac, 6);
  size_t out = 12;
  if (table->vlan != FP_NO_VLAN) {
    // The reply keeps the priority the request was tagged with; drop eligibility is never copied.
    unsigned priority = tagged ? tci >> 13 : 0;
    put16(reply + out, ETHERTYPE_VLAN);
    put16(reply + out + 2, (priority << 13) | (unsigned)table->vlan);
    out += 4;
  }
  put16(reply + out, ETHERTYPE_ARP);
  uint8_t *r = reply + out + 2;
  put16(r, 1);
  put16(r + 2, 0x0800);
  r[4] = 6;
  r[5] = 4;
  put16(r + 6, ARP_REPLY);
  memcpy(r + 8, table->mac, 6);
  memcpy(r + 14, tpa, 4);
  memcpy(r + 18, sha, 6);
  memcpy(r + 24, spa, 4);
  return out + 2 + ARP_LENGTH;
}
