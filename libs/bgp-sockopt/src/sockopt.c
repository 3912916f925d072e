// Socket options Node's net module does not expose, for BGP sessions: TCP MD5 signatures
// (RFC 2385, Linux TCP_MD5SIG) and the IP TTL / IPv6 hop limit for eBGP multihop. MD5 must be in
// place before the SYN, so this also creates the unconnected socket that net.Socket then adopts.
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <node_api.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char message[160];
  snprintf(message, sizeof message, "%s: %s", what, strerror(err));
  napi_value code, msg, error;
  napi_create_string_utf8(env, strerror(err), NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &msg);
  napi_create_error(env, NULL, msg, &error);
  napi_value errno_value;
  napi_create_int32(env, err, &errno_value);
  napi_set_named_property(env, error, "errno", errno_value);
  napi_throw(env, error);
  return NULL;
}

static int get_int(napi_env env, napi_value value, int32_t *out) {
  return napi_get_value_int32(env, value, out) == napi_ok;
}

static int get_string(napi_env env, napi_value value, char *buf, size_t size, size_t *length) {
  return napi_get_value_string_utf8(env, value, buf, size, length) == napi_ok;
}

/** Parses an IPv4 or IPv6 address into a sockaddr_storage; returns the family or 0. */
static int parse_address(const char *text, struct sockaddr_storage *out) {
  memset(out, 0, sizeof *out);
  struct sockaddr_in *v4 = (struct sockaddr_in *)out;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)out;
  if (inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    return AF_INET;
  }
  if (inet_pton(AF_INET6, text, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    return AF_INET6;
  }
  return 0;
}

// createSocket(family: 4 | 6): number — a non-blocking, close-on-exec TCP socket.
static napi_value create_socket(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t family;
  if (argc < 1 || !get_int(env, argv[0], &family) || (family != 4 && family != 6)) {
    napi_throw_type_error(env, NULL, "createSocket(family): family must be 4 or 6");
    return NULL;
  }
  int fd = socket(family == 4 ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "socket", errno);
  napi_value result;
  napi_create_int32(env, fd, &result);
  return result;
}

// setMd5(fd: number, peer: string, key: string): void — an empty key removes the peer's key.
static napi_value set_md5(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd;
  char peer[64];
  struct tcp_md5sig sig;
  memset(&sig, 0, sizeof sig);
  size_t peer_length = 0, key_length = 0;
  char key[TCP_MD5SIG_MAXKEYLEN + 2];
  if (argc < 3 || !get_int(env, argv[0], &fd) || !get_string(env, argv[1], peer, sizeof peer, &peer_length) ||
      !get_string(env, argv[2], key, sizeof key, &key_length)) {
    napi_throw_type_error(env, NULL, "setMd5(fd, peerAddress, key): expected a number and two strings");
    return NULL;
  }
  if (key_length > TCP_MD5SIG_MAXKEYLEN) {
    napi_throw_range_error(env, NULL, "setMd5: the key is longer than 80 bytes (TCP_MD5SIG_MAXKEYLEN)");
    return NULL;
  }
  if (parse_address(peer, &sig.tcpm_addr) == 0) {
    napi_throw_type_error(env, NULL, "setMd5: peer is not an IPv4 or IPv6 address");
    return NULL;
  }
  sig.tcpm_keylen = (uint16_t)key_length;
  memcpy(sig.tcpm_key, key, key_length);
  if (setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &sig, sizeof sig) != 0) return throw_errno(env, "setsockopt(TCP_MD5SIG)", errno);
  return NULL;
}

// setTtl(fd: number, family: 4 | 6, ttl: number): void — IP_TTL or IPV6_UNICAST_HOPS.
static napi_value set_ttl(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd, family, ttl;
  if (argc < 3 || !get_int(env, argv[0], &fd) || !get_int(env, argv[1], &family) || !get_int(env, argv[2], &ttl) ||
      (family != 4 && family != 6) || ttl < 1 || ttl > 255) {
    napi_throw_type_error(env, NULL, "setTtl(fd, family, ttl): family 4 or 6, ttl 1..255");
    return NULL;
  }
  int value = ttl;
  int rc = family == 4 ? setsockopt(fd, IPPROTO_IP, IP_TTL, &value, sizeof value)
                       : setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &value, sizeof value);
  if (rc != 0) return throw_errno(env, family == 4 ? "setsockopt(IP_TTL)" : "setsockopt(IPV6_UNICAST_HOPS)", errno);
  return NULL;
}

// closeSocket(fd: number): void — for a socket that never reached net.Socket.
static napi_value close_socket(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd;
  if (argc >= 1 && get_int(env, argv[0], &fd) && fd >= 0) close(fd);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"createSocket", NULL, create_socket, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setMd5", NULL, set_md5, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setTtl", NULL, set_ttl, NULL, NULL, NULL, napi_enumerable, NULL},
      {"closeSocket", NULL, close_socket, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
