// The threads that answer ARP without waking Node. Each blocks on an AF_PACKET socket that a classic
// BPF program limits to ARP frames, decides with fp_decide under the table lock, and sends the reply
// from its socket. With one reader per CPU the sockets form a PACKET_FANOUT_CPU group, so a frame
// is read by the reader pinned to the CPU that received it. The kernel never loops a group's own
// sends back to it: replies and the gratuitous announcements sent through fp_socket_send are not
// read back here.
#define _GNU_SOURCE
#include "socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/** One receiving socket of the fanout group and the thread that reads it, pinned to its CPU. */
typedef struct {
  fp_socket *owner;
  int fd;
  int cpu; /* the CPU whose frames the kernel steers here; -1 when there is one reader */
  pthread_t thread;
  int started;
  uint8_t *buffer; /* HEADROOM + FRAME_ROOM bytes */
} fp_reader;

struct fp_socket {
  int ifindex;
  pthread_mutex_t lock; /* guards table, requests, responses, send_errors */
  fp_table table;
  uint64_t *requests;
  uint64_t *responses;
  uint64_t send_errors;
  size_t reader_count;
  fp_reader *readers;
  fp_unanswered_fn unanswered;
  fp_error_fn error;
  void *context;
};

/*
 * ARP at offset 12, or behind one 802.1Q tag still in the frame. Linux usually strips the tag
 * before packet sockets see the frame (it arrives in PACKET_AUXDATA), so the first test catches
 * tagged ARP too; the thread puts the tag back before deciding, as libpcap does.
 */
static struct sock_filter ARP_FRAMES[] = {
    BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_ARP, 3, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_8021Q, 0, 3),
    BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 16),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_ARP, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, 0x40000),
    BPF_STMT(BPF_RET | BPF_K, 0),
};

/** Accepts nothing: a reader's state until it has joined the fanout group. */
static struct sock_filter NOTHING[] = {BPF_STMT(BPF_RET | BPF_K, 0)};

/** Room in front of the frame for a tag the kernel stripped; ARP frames are far shorter than the rest. */
#define HEADROOM 4
#define FRAME_ROOM 16384
#define READER_STACK (256 * 1024)

static void put16(uint8_t *p, unsigned v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

static void free_counts(fp_socket *s) {
  free(s->requests);
  free(s->responses);
  s->requests = s->responses = NULL;
}

/** Moves the nonzero counts into `out` and zeroes them. Called with the lock held. */
static int collect(fp_socket *s, fp_counts *out) {
  size_t used = 0;
  for (size_t i = 0; i < s->table.count; i++) used += s->requests[i] != 0 || s->responses[i] != 0;
  out->answered = used ? malloc(used * sizeof *out->answered) : NULL;
  if (used && !out->answered) return ENOMEM;
  out->count = 0;
  for (size_t i = 0; i < s->table.count; i++) {
    if (s->requests[i] == 0 && s->responses[i] == 0) continue;
    out->answered[out->count++] = (fp_answered){s->table.addresses[i], s->requests[i], s->responses[i]};
    s->requests[i] = s->responses[i] = 0;
  }
  out->send_errors = s->send_errors;
  s->send_errors = 0;
  return 0;
}

static void handle_frame(fp_reader *r, const uint8_t *frame, size_t length) {
  fp_socket *s = r->owner;
  uint8_t reply[FP_REPLY_MAX];
  size_t index = 0;
  pthread_mutex_lock(&s->lock);
  size_t reply_length = fp_decide(&s->table, frame, length, reply, &index);
  if (reply_length) {
    s->requests[index] += 1;
    // Sent under the lock: once fp_socket_set_table returns, no reply from the old table can follow.
    if (send(r->fd, reply, reply_length, MSG_DONTWAIT) == (ssize_t)reply_length) s->responses[index] += 1;
    else s->send_errors += 1;
  }
  pthread_mutex_unlock(&s->lock);
  if (!reply_length) s->unanswered(s->context, frame, length);
}

/** Waits for one frame and reads it into the reader's buffer, re-inserting a tag the kernel stripped. 0: none; -1: stop. */
static int read_frame(fp_reader *r, uint8_t **frame, size_t *length) {
  fp_socket *s = r->owner;
  union {
    struct cmsghdr header;
    char space[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
  } control;
  struct iovec iov = {.iov_base = r->buffer + HEADROOM, .iov_len = FRAME_ROOM};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control, .msg_controllen = sizeof control};
  // Blocking in recvmsg itself, not in poll first: one system call less between the request and
  // the reply. fp_socket_close ends the wait with pthread_cancel, the one way to interrupt it
  // (packet sockets have no shutdown), so cancellation is enabled only for this call: everywhere
  // else the reader may hold the table lock or be inside Node's thread-safe function.
  int state;
  pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &state);
  ssize_t n = recvmsg(r->fd, &msg, MSG_TRUNC);
  int err = errno;
  pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &state);
  if (n < 0) {
    if (err == EAGAIN || err == EWOULDBLOCK || err == EINTR) return 0;
    // ENETDOWN comes when the interface goes down or is deleted; the sockets rejoin when it is up
    // again, and a deleted one is closed by the owner. ENODEV/ENXIO would mean it is gone for good.
    // Every member of the group sees the same errors; the first reader speaks for all.
    int fatal = err == ENODEV || err == ENXIO;
    if (r == s->readers) s->error(s->context, "recvmsg", err, fatal);
    if (fatal) return -1;
    if (err != ENETDOWN) usleep(10000); // an unexpected error must not turn into a busy loop
    return 0;
  }
  *frame = r->buffer + HEADROOM;
  *length = (size_t)n < FRAME_ROOM ? (size_t)n : FRAME_ROOM;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA || *length < 12) continue;
    struct tpacket_auxdata aux;
    memcpy(&aux, CMSG_DATA(c), sizeof aux);
    if (aux.tp_vlan_tci == 0 && !(aux.tp_status & TP_STATUS_VLAN_VALID)) continue;
    *frame -= 4;
    memmove(*frame, *frame + 4, 12);
    put16(*frame + 12, aux.tp_status & TP_STATUS_VLAN_TPID_VALID ? aux.tp_vlan_tpid : ETH_P_8021Q);
    put16(*frame + 14, aux.tp_vlan_tci);
    *length += 4;
  }
  return 1;
}

/**
 * Closing a packet socket waits for an RCU grace period (10-20 ms here): each reader closes its
 * own as it is cancelled, so the readers of an interface wait for theirs together.
 */
static void close_on_cancel(void *arg) {
  fp_reader *r = arg;
  close(r->fd);
  r->fd = -1;
}

static void *run(void *arg) {
  fp_reader *r = arg;
  int state;
  pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &state);
  pthread_cleanup_push(close_on_cancel, r);
  for (;;) {
    uint8_t *frame;
    size_t length;
    int got = read_frame(r, &frame, &length);
    if (got < 0) break; // the socket stays open: JavaScript may still send on it until it closes the handle
    if (got > 0) handle_frame(r, frame, length);
  }
  pthread_cleanup_pop(0);
  return NULL;
}

/**
 * The CPUs a fanout group spreads over: every CPU the kernel may run softirqs on, so that member i
 * receives exactly what CPU i received (PACKET_FANOUT_CPU picks member cpu % members).
 */
static size_t cpu_count(void) {
  long n = sysconf(_SC_NPROCESSORS_CONF);
  return n < 1 ? 1 : n > 1024 ? 1024 : (size_t)n;
}

static int open_reader(fp_socket *s, fp_reader *r, int *group, const char **what) {
  struct sock_fprog nothing = {.len = 1, .filter = NOTHING};
  struct sock_fprog arp = {.len = sizeof ARP_FRAMES / sizeof ARP_FRAMES[0], .filter = ARP_FRAMES};
  int on = 1;
  // Protocol 0 until bind, and a filter that accepts nothing until the socket has joined the group:
  // no frame is queued twice, on a lone member and on the group.
  r->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (r->fd < 0) return *what = "socket(AF_PACKET)", errno;
  if (setsockopt(r->fd, SOL_SOCKET, SO_ATTACH_FILTER, &nothing, sizeof nothing) != 0) return *what = "setsockopt(SO_ATTACH_FILTER)", errno;
  if (setsockopt(r->fd, SOL_PACKET, PACKET_AUXDATA, &on, sizeof on) != 0) return *what = "setsockopt(PACKET_AUXDATA)", errno;
  struct sockaddr_ll address = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = s->ifindex};
  if (bind(r->fd, (struct sockaddr *)&address, sizeof address) != 0) return *what = "bind", errno;
  if (s->reader_count > 1) {
    // The first member asks the kernel for a group id no one else uses; the others join it.
    int fanout = r == s->readers ? (PACKET_FANOUT_CPU | PACKET_FANOUT_FLAG_UNIQUEID) << 16 : (PACKET_FANOUT_CPU << 16) | *group;
    if (setsockopt(r->fd, SOL_PACKET, PACKET_FANOUT, &fanout, sizeof fanout) != 0) return *what = "setsockopt(PACKET_FANOUT)", errno;
    if (r == s->readers) {
      socklen_t size = sizeof fanout;
      if (getsockopt(r->fd, SOL_PACKET, PACKET_FANOUT, &fanout, &size) != 0) return *what = "getsockopt(PACKET_FANOUT)", errno;
      *group = fanout & 0xffff;
    }
  }
  if (setsockopt(r->fd, SOL_SOCKET, SO_ATTACH_FILTER, &arp, sizeof arp) != 0) return *what = "setsockopt(SO_ATTACH_FILTER)", errno;
  r->buffer = malloc(HEADROOM + FRAME_ROOM);
  if (!r->buffer) return *what = "allocating a frame buffer", ENOMEM;
  return 0;
}

static void stop_readers(fp_socket *s) {
  for (size_t i = 0; i < s->reader_count; i++) {
    if (s->readers[i].started) pthread_cancel(s->readers[i].thread);
  }
  for (size_t i = 0; i < s->reader_count; i++) {
    fp_reader *r = &s->readers[i];
    if (r->started) pthread_join(r->thread, NULL);
    if (r->fd >= 0) close(r->fd);
    free(r->buffer);
  }
}

static void destroy(fp_socket *s) {
  free(s->readers);
  free(s->table.addresses);
  free_counts(s);
  free(s);
}

fp_socket *fp_socket_open(const char *ifname, const fp_socket_options *options, fp_unanswered_fn unanswered, fp_error_fn error, void *context,
                          const char **what, int *realtime_error) {
  fp_socket *s = calloc(1, sizeof *s);
  if (!s) {
    *what = "allocating the socket state";
    errno = ENOMEM;
    return NULL;
  }
  s->unanswered = unanswered;
  s->error = error;
  s->context = context;
  s->table.vlan = FP_NO_VLAN;
  s->reader_count = options->per_cpu ? cpu_count() : 1;
  s->readers = calloc(s->reader_count, sizeof *s->readers);
  s->requests = calloc(1, sizeof *s->requests);
  s->responses = calloc(1, sizeof *s->responses);
  int err = 0, locked = 0;
  *realtime_error = 0;
  if (!s->readers || !s->requests || !s->responses) {
    *what = "allocating the socket state";
    err = ENOMEM;
    goto fail;
  }
  for (size_t i = 0; i < s->reader_count; i++) s->readers[i] = (fp_reader){.owner = s, .fd = -1, .cpu = s->reader_count > 1 ? (int)i : -1};
  s->ifindex = (int)if_nametoindex(ifname);
  if (s->ifindex == 0) {
    *what = "if_nametoindex";
    err = errno;
    goto fail;
  }
  if (pthread_mutex_init(&s->lock, NULL) != 0) {
    *what = "pthread_mutex_init";
    err = EAGAIN;
    goto fail;
  }
  locked = 1;
  int group = 0;
  for (size_t i = 0; i < s->reader_count; i++) {
    err = open_reader(s, &s->readers[i], &group, what);
    if (err) goto fail;
  }
  // Readers need little stack (recvmsg, a 46-byte reply); with one per CPU per interface the
  // default 8 MiB of address space each adds up. They block every signal, so that the process's
  // signals go to Node's threads and never interrupt a reader.
  pthread_attr_t attributes;
  pthread_attr_init(&attributes);
  pthread_attr_setstacksize(&attributes, READER_STACK);
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  for (size_t i = 0; i < s->reader_count; i++) {
    fp_reader *r = &s->readers[i];
    err = pthread_create(&r->thread, &attributes, run, r);
    if (err) {
      pthread_sigmask(SIG_SETMASK, &previous, NULL);
      pthread_attr_destroy(&attributes);
      *what = "pthread_create";
      goto fail;
    }
    r->started = 1;
    char name[16];
    snprintf(name, sizeof name, "arp:%.11s", ifname);
    pthread_setname_np(r->thread, name);
    if (r->cpu >= 0) {
      // A CPU outside this process's set (cpuset, offline) keeps its reader unpinned: still correct, only slower.
      cpu_set_t set;
      CPU_ZERO(&set);
      CPU_SET(r->cpu, &set);
      pthread_setaffinity_np(r->thread, sizeof set, &set);
    }
    if (options->realtime_priority > 0) {
      struct sched_param param = {.sched_priority = options->realtime_priority};
      int refused = pthread_setschedparam(r->thread, SCHED_FIFO, &param);
      if (refused && !*realtime_error) *realtime_error = refused;
    }
  }
  pthread_sigmask(SIG_SETMASK, &previous, NULL);
  pthread_attr_destroy(&attributes);
  return s;

fail:
  stop_readers(s);
  if (locked) pthread_mutex_destroy(&s->lock);
  destroy(s);
  errno = err;
  return NULL;
}

int fp_socket_set_table(fp_socket *s, fp_table *table, fp_counts *previous) {
  size_t slots = table->count ? table->count : 1;
  uint64_t *requests = calloc(slots, sizeof *requests);
  uint64_t *responses = calloc(slots, sizeof *responses);
  if (!requests || !responses) {
    free(requests);
    free(responses);
    return ENOMEM;
  }
  fp_sort_addresses(table->addresses, table->count);
  pthread_mutex_lock(&s->lock);
  int err = collect(s, previous);
  if (err == 0) {
    free(s->table.addresses);
    free_counts(s);
    s->table = *table;
    s->requests = requests;
    s->responses = responses;
    table->addresses = NULL;
  }
  pthread_mutex_unlock(&s->lock);
  if (err != 0) {
    free(requests);
    free(responses);
  }
  return err;
}

int fp_socket_take_counts(fp_socket *s, fp_counts *counts) {
  pthread_mutex_lock(&s->lock);
  int err = collect(s, counts);
  pthread_mutex_unlock(&s->lock);
  return err;
}

int fp_socket_send(fp_socket *s, const uint8_t *frame, size_t length) {
  // Any member will do: the kernel keeps frames sent by a member away from the whole group.
  ssize_t sent = send(s->readers[0].fd, frame, length, 0);
  if (sent < 0) return errno;
  return (size_t)sent == length ? 0 : EMSGSIZE;
}

int fp_socket_ifindex(const fp_socket *s) { return s->ifindex; }

size_t fp_socket_readers(const fp_socket *s) { return s->reader_count; }

void fp_socket_close(fp_socket *s) {
  stop_readers(s);
  pthread_mutex_destroy(&s->lock);
  destroy(s);
}
