// The fast path's decision: which ARP requests to answer and with what bytes. Pure (no sockets, no
// N-API) so the addon's `decide` and the per-interface threads run the very same code.
#ifndef ARP_FASTPATH_DECIDE_H
#define ARP_FASTPATH_DECIDE_H

#include <stddef.h>
#include <stdint.h>

/** Longest reply: Ethernet header, one 802.1Q tag, 28 bytes of ARP. */
#define FP_REPLY_MAX 46
#define FP_NO_VLAN (-1)

/**
 * What one interface answers for: a projection of @lb/arp's Responder state, computed in
 * TypeScript and installed from there. `addresses` holds IPv4 addresses as their four wire bytes
 * read into a uint32 (so in network order in memory), sorted by fp_sort_addresses.
 */
typedef struct {
  uint8_t mac[6];
  int vlan; /* 0..4095, or FP_NO_VLAN for an interface that sees its frames untagged */
  size_t count;
  uint32_t *addresses;
} fp_table;

/** Sorts the addresses so fp_decide can binary-search them. */
void fp_sort_addresses(uint32_t *addresses, size_t count);

/**
 * Applies @lb/arp's ARP rules to one Ethernet frame as it appears on the wire (with its 802.1Q tag,
 * if any). Returns the length of the reply written to `reply`, or 0 when the responder would not
 * answer; `*index` then names the table address that was asked for.
 */
size_t fp_decide(const fp_table *table, const uint8_t *frame, size_t length, uint8_t reply[FP_REPLY_MAX], size_t *index);

#endif
