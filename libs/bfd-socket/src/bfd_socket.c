// UDP sockets for BFD that report what Node's dgram hides: the TTL (IPv4) or hop limit (IPv6)
// each datagram arrived with, needed for RFC 5881 §5 (single hop: accept only 255) and RFC 5883
// §5 (multihop: a minimum), and the local address it was sent to. Datagrams are read with
// recvmsg() when libuv reports the socket readable, on Node's own thread: no threads, no copies
// beyond the one into the Buffer handed to JavaScript. Also one AF_PACKET socket type for echo
// packets (RFC 5880 §6.4), which must leave addressed to ourselves through the peer's MAC.
#define _GNU_SOURCE /* struct in6_pktinfo */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#define MAX_DATAGRAM 2048
#define READS_PER_WAKEUP 64

typedef struct bfd_socket {
  int id;
  int fd;
  int family;
  int packet; /* AF_PACKET: the interface index */
  int closing;
  napi_env env;
  napi_ref callback;
  napi_async_context context;
  uv_poll_t poll;
  struct bfd_socket *next;
} bfd_socket;

static bfd_socket *sockets = NULL;
static int next_id = 1;
/* Indexed by id, so that each send finds its socket in O(1) among thousands. */
static bfd_socket **by_id = NULL;
static size_t by_id_size = 0;

static void index_socket(bfd_socket *s) {
  if ((size_t)s->id >= by_id_size) {
    size_t size = by_id_size ? by_id_size * 2 : 256;
    while (size <= (size_t)s->id) size *= 2;
    bfd_socket **grown = realloc(by_id, size * sizeof *grown);
    if (!grown) abort();
    memset(grown + by_id_size, 0, (size - by_id_size) * sizeof *grown);
    by_id = grown;
    by_id_size = size;
  }
  by_id[s->id] = s;
  s->next = sockets;
  sockets = s;
}

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char message[200];
  snprintf(message, sizeof message, "%s: %s", what, strerror(err));
  napi_value msg, error, errno_value;
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &msg);
  napi_create_error(env, NULL, msg, &error);
  napi_create_int32(env, err, &errno_value);
  napi_set_named_property(env, error, "errno", errno_value);
  napi_throw(env, error);
  return NULL;
}

static napi_value int_value(napi_env env, int32_t value) {
  napi_value result;
  napi_create_int32(env, value, &result);
  return result;
}

static bfd_socket *find(int id) {
  if (id <= 0 || (size_t)id >= by_id_size) return NULL;
  bfd_socket *s = by_id[id];
  return s && !s->closing ? s : NULL;
}

static int get_property(napi_env env, napi_value object, const char *name, napi_value *out) {
  bool has = false;
  if (napi_has_named_property(env, object, name, &has) != napi_ok || !has) return 0;
  if (napi_get_named_property(env, object, name, out) != napi_ok) return 0;
  napi_valuetype type;
  napi_typeof(env, *out, &type);
  return type != napi_undefined && type != napi_null;
}

static int int_property(napi_env env, napi_value object, const char *name, int32_t fallback, int32_t *out) {
  napi_value value;
  *out = fallback;
  if (!get_property(env, object, name, &value)) return 1;
  return napi_get_value_int32(env, value, out) == napi_ok;
}

static int bool_property(napi_env env, napi_value object, const char *name, bool fallback, bool *out) {
  napi_value value;
  *out = fallback;
  if (!get_property(env, object, name, &value)) return 1;
  return napi_get_value_bool(env, value, out) == napi_ok;
}

static int string_property(napi_env env, napi_value object, const char *name, char *buf, size_t size) {
  napi_value value;
  buf[0] = 0;
  if (!get_property(env, object, name, &value)) return 1;
  size_t length;
  return napi_get_value_string_utf8(env, value, buf, size, &length) == napi_ok;
}

/** Fills `out` from text and port; returns its length or 0 when the text is not of `family`. */
static socklen_t make_address(int family, const char *text, int port, unsigned scope, struct sockaddr_storage *out) {
  memset(out, 0, sizeof *out);
  if (family == 4) {
    struct sockaddr_in *v4 = (struct sockaddr_in *)out;
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)port);
    return inet_pton(AF_INET, text, &v4->sin_addr) == 1 ? sizeof *v4 : 0;
  }
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)out;
  v6->sin6_family = AF_INET6;
  v6->sin6_port = htons((uint16_t)port);
  v6->sin6_scope_id = scope;
  return inet_pton(AF_INET6, text, &v6->sin6_addr) == 1 ? sizeof *v6 : 0;
}

static void on_close(uv_handle_t *handle) {
  bfd_socket *s = handle->data;
  close(s->fd);
  free(s);
}

/** Stops reading, releases the JavaScript callback and frees the socket once libuv lets go of it. */
static void close_socket(bfd_socket *s) {
  if (s->closing) return;
  s->closing = 1;
  by_id[s->id] = NULL;
  for (bfd_socket **p = &sockets; *p; p = &(*p)->next) {
    if (*p == s) {
      *p = s->next;
      break;
    }
  }
  int polling = s->callback != NULL;
  if (s->callback) napi_delete_reference(s->env, s->callback);
  if (s->context) napi_async_destroy(s->env, s->context);
  if (!polling) {
    close(s->fd);
    free(s);
    return;
  }
  uv_poll_stop(&s->poll);
  uv_close((uv_handle_t *)&s->poll, on_close);
}

/** Calls the socket's JavaScript callback; an exception becomes an uncaught one, as in any callback. */
static int deliver(bfd_socket *s, size_t argc, napi_value *argv) {
  napi_env env = s->env;
  napi_value callback, recv, result;
  napi_get_reference_value(env, s->callback, &callback);
  napi_get_global(env, &recv);
  if (napi_make_callback(env, s->context, recv, callback, argc, argv, &result) != napi_pending_exception) return 1;
  napi_value error;
  napi_get_and_clear_last_exception(env, &error);
  napi_fatal_exception(env, error);
  return 0;
}

static void on_readable(uv_poll_t *poll, int status, int events) {
  (void)events;
  bfd_socket *s = poll->data;
  if (status < 0 || s->closing) return;
  static uint8_t data[MAX_DATAGRAM];
  uint8_t control[256];
  napi_env env = s->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  for (int i = 0; i < READS_PER_WAKEUP && !s->closing; i++) {
    struct sockaddr_storage from;
    struct iovec iov = {data, sizeof data};
    struct msghdr msg = {0};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof from;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = recvmsg(s->fd, &msg, MSG_DONTWAIT);
    if (n < 0) break; /* EAGAIN, or an ICMP error queued for this unconnected socket: nothing to read */
    int ttl = -1;
    char destination[INET6_ADDRSTRLEN] = "";
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) || (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)) {
        int value;
        memcpy(&value, CMSG_DATA(c), sizeof value);
        ttl = value;
      } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
        struct in_pktinfo info;
        memcpy(&info, CMSG_DATA(c), sizeof info);
        inet_ntop(AF_INET, &info.ipi_addr, destination, sizeof destination);
      } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
        struct in6_pktinfo info;
        memcpy(&info, CMSG_DATA(c), sizeof info);
        inet_ntop(AF_INET6, &info.ipi6_addr, destination, sizeof destination);
      }
    }
    char source[INET6_ADDRSTRLEN] = "";
    int port = 0;
    if (from.ss_family == AF_INET) {
      struct sockaddr_in *v4 = (struct sockaddr_in *)&from;
      inet_ntop(AF_INET, &v4->sin_addr, source, sizeof source);
      port = ntohs(v4->sin_port);
    } else if (from.ss_family == AF_INET6) {
      struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&from;
      inet_ntop(AF_INET6, &v6->sin6_addr, source, sizeof source);
      port = ntohs(v6->sin6_port);
    }
    napi_value argv[5];
    void *copy;
    napi_create_buffer_copy(env, (size_t)n, data, &copy, &argv[0]);
    napi_create_string_utf8(env, source, NAPI_AUTO_LENGTH, &argv[1]);
    argv[2] = int_value(env, port);
    argv[3] = int_value(env, ttl);
    napi_create_string_utf8(env, destination, NAPI_AUTO_LENGTH, &argv[4]);
    if (!deliver(s, 5, argv)) break;
  }
  napi_close_handle_scope(env, scope);
}

/*
 * open({ family, address, port, ttl?, tos?, receiveTtl?, reuseAddress?, device? }, onDatagram)
 *   -> { id, port }
 * onDatagram(data: Buffer, sourceAddress, sourcePort, ttl (-1 when unknown), destinationAddress)
 */
static napi_value open_socket(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_valuetype types[2] = {napi_undefined, napi_undefined};
  if (argc >= 2) {
    napi_typeof(env, argv[0], &types[0]);
    napi_typeof(env, argv[1], &types[1]);
  }
  int32_t family, port, ttl, tos, receive_buffer;
  bool receive_ttl, reuse;
  char address[INET6_ADDRSTRLEN + 1], device[IF_NAMESIZE + 1];
  if (types[0] != napi_object || types[1] != napi_function || !int_property(env, argv[0], "family", 0, &family) || (family != 4 && family != 6) ||
      !int_property(env, argv[0], "port", 0, &port) || port < 0 || port > 65535 || !int_property(env, argv[0], "ttl", 255, &ttl) || ttl < 1 || ttl > 255 ||
      !int_property(env, argv[0], "tos", 0, &tos) || tos < 0 || tos > 255 || !int_property(env, argv[0], "receiveBuffer", 0, &receive_buffer) || receive_buffer < 0 || !bool_property(env, argv[0], "receiveTtl", true, &receive_ttl) ||
      !bool_property(env, argv[0], "reuseAddress", false, &reuse) || !string_property(env, argv[0], "address", address, sizeof address) ||
      !string_property(env, argv[0], "device", device, sizeof device)) {
    napi_throw_type_error(env, NULL, "open(options, onDatagram): options { family: 4 | 6, address, port 0..65535, ttl 1..255, tos 0..255, receiveTtl, reuseAddress, device, receiveBuffer }");
    return NULL;
  }
  unsigned scope = 0;
  if (device[0]) {
    scope = if_nametoindex(device);
    if (scope == 0) return throw_errno(env, "if_nametoindex", errno);
  }
  struct sockaddr_storage bind_address;
  socklen_t bind_length = make_address(family, address[0] ? address : (family == 4 ? "0.0.0.0" : "::"), port, scope, &bind_address);
  if (bind_length == 0) {
    napi_throw_type_error(env, NULL, "open: address is not an address of the given family");
    return NULL;
  }
  int fd = socket(family == 4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "socket", errno);
  int one = 1, value = ttl, tos_value = tos;
  const char *failed = NULL;
  if (family == 4) {
    if (setsockopt(fd, IPPROTO_IP, IP_TTL, &value, sizeof value) != 0) failed = "setsockopt(IP_TTL)";
    else if (tos && setsockopt(fd, IPPROTO_IP, IP_TOS, &tos_value, sizeof tos_value) != 0) failed = "setsockopt(IP_TOS)";
    else if (receive_ttl && setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &one, sizeof one) != 0) failed = "setsockopt(IP_RECVTTL)";
    else if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one) != 0) failed = "setsockopt(IP_PKTINFO)";
  } else {
    if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0) failed = "setsockopt(IPV6_V6ONLY)";
    else if (setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &value, sizeof value) != 0) failed = "setsockopt(IPV6_UNICAST_HOPS)";
    else if (tos && setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tos_value, sizeof tos_value) != 0) failed = "setsockopt(IPV6_TCLASS)";
    else if (receive_ttl && setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof one) != 0) failed = "setsockopt(IPV6_RECVHOPLIMIT)";
    else if (setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one) != 0) failed = "setsockopt(IPV6_RECVPKTINFO)";
  }
  if (!failed && reuse && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) failed = "setsockopt(SO_REUSEADDR)";
  /* A bigger queue rides out a busy event loop; beyond net.core.rmem_max only with CAP_NET_ADMIN. */
  if (!failed && receive_buffer > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &receive_buffer, sizeof receive_buffer) != 0 &&
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer) != 0)
    failed = "setsockopt(SO_RCVBUF)";
  if (!failed && device[0] && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, device, (socklen_t)strlen(device)) != 0) failed = "setsockopt(SO_BINDTODEVICE)";
  if (!failed && bind(fd, (struct sockaddr *)&bind_address, bind_length) != 0) failed = "bind";
  if (failed) {
    int err = errno;
    close(fd);
    return throw_errno(env, failed, err);
  }
  struct sockaddr_storage bound;
  socklen_t bound_length = sizeof bound;
  getsockname(fd, (struct sockaddr *)&bound, &bound_length);
  int bound_port = ntohs(bound.ss_family == AF_INET ? ((struct sockaddr_in *)&bound)->sin_port : ((struct sockaddr_in6 *)&bound)->sin6_port);

  uv_loop_t *loop;
  napi_get_uv_event_loop(env, &loop);
  bfd_socket *s = calloc(1, sizeof *s);
  s->id = next_id++;
  s->fd = fd;
  s->family = family;
  s->env = env;
  napi_create_reference(env, argv[1], 1, &s->callback);
  napi_value resource_name;
  napi_create_string_utf8(env, "BfdSocket", NAPI_AUTO_LENGTH, &resource_name);
  napi_async_init(env, NULL, resource_name, &s->context);
  uv_poll_init(loop, &s->poll, fd);
  s->poll.data = s;
  uv_poll_start(&s->poll, UV_READABLE, on_readable);
  index_socket(s);

  napi_value result;
  napi_create_object(env, &result);
  napi_set_named_property(env, result, "id", int_value(env, s->id));
  napi_set_named_property(env, result, "port", int_value(env, bound_port));
  return result;
}

// send(id, data, address, port) -> 0 or an errno: sending is on the hot path, and a refused
// datagram (no route, neighbour unreachable) is counted by the caller, not thrown.
static napi_value send_datagram(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t id, port;
  void *data;
  size_t length;
  char address[INET6_ADDRSTRLEN + 1];
  size_t address_length;
  if (argc < 4 || napi_get_value_int32(env, argv[0], &id) != napi_ok || napi_get_typedarray_info(env, argv[1], NULL, &length, &data, NULL, NULL) != napi_ok ||
      napi_get_value_string_utf8(env, argv[2], address, sizeof address, &address_length) != napi_ok || napi_get_value_int32(env, argv[3], &port) != napi_ok) {
    napi_throw_type_error(env, NULL, "send(id, data: Uint8Array, address, port)");
    return NULL;
  }
  bfd_socket *s = find(id);
  if (!s || s->packet) return int_value(env, EBADF);
  struct sockaddr_storage to;
  socklen_t to_length = make_address(s->family, address, port, 0, &to);
  if (to_length == 0) return int_value(env, EINVAL);
  ssize_t sent = sendto(s->fd, data, length, 0, (struct sockaddr *)&to, to_length);
  return int_value(env, sent < 0 ? errno : 0);
}

/** Reads returned echo packets from an AF_PACKET socket: IPv4/UDP to the echo port, not ours outgoing. */
static void on_packet_readable(uv_poll_t *poll, int status, int events) {
  (void)events;
  bfd_socket *s = poll->data;
  if (status < 0 || s->closing) return;
  static uint8_t data[MAX_DATAGRAM];
  napi_env env = s->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  for (int i = 0; i < READS_PER_WAKEUP && !s->closing; i++) {
    struct sockaddr_ll from;
    socklen_t from_length = sizeof from;
    ssize_t n = recvfrom(s->fd, data, sizeof data, MSG_DONTWAIT, (struct sockaddr *)&from, &from_length);
    if (n < 0) break;
    if (from.sll_pkttype == PACKET_OUTGOING || n < 28) continue;
    size_t header = (size_t)(data[0] & 0x0f) * 4;
    size_t total = ((size_t)data[2] << 8) | data[3];
    if ((data[0] >> 4) != 4 || header < 20 || total > (size_t)n || total < header + 8) continue;
    char source[INET_ADDRSTRLEN], destination[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, data + 12, source, sizeof source);
    inet_ntop(AF_INET, data + 16, destination, sizeof destination);
    napi_value argv[4];
    void *copy;
    napi_create_buffer_copy(env, total - header - 8, data + header + 8, &copy, &argv[0]);
    napi_create_string_utf8(env, source, NAPI_AUTO_LENGTH, &argv[1]);
    argv[2] = int_value(env, data[8]);
    napi_create_string_utf8(env, destination, NAPI_AUTO_LENGTH, &argv[3]);
    if (!deliver(s, 4, argv)) break;
  }
  napi_close_handle_scope(env, scope);
}

/*
 * openPacket(device, echoPort?, onEcho?) -> id: an AF_PACKET socket on `device` that sends IPv4
 * packets to a given MAC and, with `onEcho`, receives IPv4/UDP packets to `echoPort`. Echo
 * packets come back addressed from and to our own address, which the IP stack drops as martians
 * (unless accept_local is set), so they are read here, below it.
 * onEcho(payload: Buffer, sourceAddress, ttl, destinationAddress)
 */
static napi_value open_packet(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char device[IF_NAMESIZE + 1];
  size_t length;
  int32_t echo_port = 0;
  napi_valuetype callback_type = napi_undefined;
  if (argc >= 3) napi_typeof(env, argv[2], &callback_type);
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], device, sizeof device, &length) != napi_ok || length == 0 ||
      (callback_type == napi_function && (napi_get_value_int32(env, argv[1], &echo_port) != napi_ok || echo_port < 1 || echo_port > 65535))) {
    napi_throw_type_error(env, NULL, "openPacket(device: string, echoPort?: 1..65535, onEcho?: function)");
    return NULL;
  }
  int receive = callback_type == napi_function;
  unsigned index = if_nametoindex(device);
  if (index == 0) return throw_errno(env, "if_nametoindex", errno);
  int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "socket(AF_PACKET)", errno);
  /* On a SOCK_DGRAM packet socket the filter sees the packet from its IP header. */
  struct sock_filter code[] = {
      BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),                      /* protocol */
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, 6),
      BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6),                      /* flags, fragment offset */
      BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 4, 0),
      BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),                     /* X = header length */
      BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),                      /* UDP destination port */
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)echo_port, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, 0xffff),
      BPF_STMT(BPF_RET | BPF_K, 0),
  };
  struct sock_fprog program = {sizeof code / sizeof code[0], code};
  struct sockaddr_ll bind_address = {0};
  bind_address.sll_family = AF_PACKET;
  bind_address.sll_ifindex = (int)index;
  /* Protocol 0 receives nothing: a send-only socket queues no frames. */
  bind_address.sll_protocol = receive ? htons(ETH_P_IP) : 0;
  const char *failed = NULL;
  if (receive && setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program) != 0) failed = "setsockopt(SO_ATTACH_FILTER)";
  else if (bind(fd, (struct sockaddr *)&bind_address, sizeof bind_address) != 0) failed = "bind(AF_PACKET)";
  if (failed) {
    int err = errno;
    close(fd);
    return throw_errno(env, failed, err);
  }
  bfd_socket *s = calloc(1, sizeof *s);
  s->id = next_id++;
  s->fd = fd;
  s->packet = (int)index;
  s->env = env;
  if (receive) {
    uv_loop_t *loop;
    napi_get_uv_event_loop(env, &loop);
    napi_create_reference(env, argv[2], 1, &s->callback);
    napi_value resource_name;
    napi_create_string_utf8(env, "BfdEchoSocket", NAPI_AUTO_LENGTH, &resource_name);
    napi_async_init(env, NULL, resource_name, &s->context);
    uv_poll_init(loop, &s->poll, fd);
    s->poll.data = s;
    uv_poll_start(&s->poll, UV_READABLE, on_packet_readable);
  }
  index_socket(s);
  return int_value(env, s->id);
}

// sendPacket(id, mac: Uint8Array(6), ipv4Packet: Uint8Array) -> 0 or an errno.
static napi_value send_packet(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t id;
  void *mac, *data;
  size_t mac_length, length;
  if (argc < 3 || napi_get_value_int32(env, argv[0], &id) != napi_ok || napi_get_typedarray_info(env, argv[1], NULL, &mac_length, &mac, NULL, NULL) != napi_ok ||
      mac_length != 6 || napi_get_typedarray_info(env, argv[2], NULL, &length, &data, NULL, NULL) != napi_ok) {
    napi_throw_type_error(env, NULL, "sendPacket(id, mac: Uint8Array(6), packet: Uint8Array)");
    return NULL;
  }
  bfd_socket *s = find(id);
  if (!s || !s->packet) return int_value(env, EBADF);
  struct sockaddr_ll to = {0};
  to.sll_family = AF_PACKET;
  to.sll_ifindex = s->packet;
  to.sll_protocol = htons(ETH_P_IP);
  to.sll_halen = 6;
  memcpy(to.sll_addr, mac, 6);
  ssize_t sent = sendto(s->fd, data, length, 0, (struct sockaddr *)&to, sizeof to);
  return int_value(env, sent < 0 ? errno : 0);
}

static napi_value close_js(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t id;
  if (argc >= 1 && napi_get_value_int32(env, argv[0], &id) == napi_ok) {
    bfd_socket *s = find(id);
    if (s) close_socket(s);
  }
  return NULL;
}

/** Worker threads and environment teardown: nothing may outlive its napi_env. */
static void cleanup(void *arg) {
  napi_env env = arg;
  for (bfd_socket *s = sockets, *next; s; s = next) {
    next = s->next;
    if (s->env == env) close_socket(s);
  }
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, open_socket, NULL, NULL, NULL, napi_enumerable, NULL},
      {"send", NULL, send_datagram, NULL, NULL, NULL, napi_enumerable, NULL},
      {"openPacket", NULL, open_packet, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sendPacket", NULL, send_packet, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, close_js, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  napi_add_env_cleanup_hook(env, cleanup, env);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
