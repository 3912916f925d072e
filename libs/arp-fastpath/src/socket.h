// One interface's fast path: an AF_PACKET socket, its thread, and the table it answers from.
#ifndef ARP_FASTPATH_SOCKET_H
#define ARP_FASTPATH_SOCKET_H

#include <stddef.h>
#include <stdint.h>

#include "decide.h"

typedef struct fp_socket fp_socket;

/** Called on the socket's thread for every ARP frame it did not answer (the JavaScript responder decides those). */
typedef void (*fp_unanswered_fn)(void *context, const uint8_t *frame, size_t length);
/** Called on the socket's thread when reading fails; `fatal` when the thread stops (the interface is gone). */
typedef void (*fp_error_fn)(void *context, const char *what, int err, int fatal);

typedef struct {
  /** SCHED_FIFO priority for the readers (1..99), 0 for the default policy. */
  int realtime_priority;
  /**
   * One reader per CPU, each pinned to its CPU, in a PACKET_FANOUT_CPU group: a request is read on
   * the CPU whose softirq received it, so waking the reader never needs another CPU. 0: one reader.
   */
  int per_cpu;
} fp_socket_options;

/** Per-address figures: requests answered, replies that reached the socket. */
typedef struct {
  uint32_t address;
  uint64_t requests;
  uint64_t responses;
} fp_answered;

typedef struct {
  fp_answered *answered; /* malloc'd; the caller frees it */
  size_t count;
  uint64_t send_errors;
} fp_counts;

/**
 * Opens `ifname` and starts its thread. Returns NULL with errno set and `*what` naming the step that
 * failed. `*realtime_error` is set (0 when granted) when a realtime priority was asked for.
 */
fp_socket *fp_socket_open(const char *ifname, const fp_socket_options *options, fp_unanswered_fn unanswered, fp_error_fn error, void *context,
                          const char **what, int *realtime_error);

/** Replaces the table (taking ownership of `table->addresses`); `*previous` gets the old table's counts. */
int fp_socket_set_table(fp_socket *socket, fp_table *table, fp_counts *previous);

/** Counts since the last call (or since the table was installed), reset to zero. */
int fp_socket_take_counts(fp_socket *socket, fp_counts *counts);

/** Sends one frame on the interface; returns 0 or an errno value. */
int fp_socket_send(fp_socket *socket, const uint8_t *frame, size_t length);

int fp_socket_ifindex(const fp_socket *socket);

/** How many reader threads the socket runs. */
size_t fp_socket_readers(const fp_socket *socket);

/** Stops the thread, closes the socket and frees everything. */
void fp_socket_close(fp_socket *socket);

#endif
