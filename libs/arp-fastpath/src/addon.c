// N-API surface of the ARP fast path. Sockets live in socket.c, the decision in decide.c; this file
// converts arguments, reports errors with what was wrong, and carries frames the fast path did not
// answer back to JavaScript through a thread-safe function (the only time Node is woken).
#include <errno.h>
#include <node_api.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decide.h"
#include "socket.h"

/** Frames waiting for JavaScript beyond this are dropped and counted (handoffDropped). */
#define HANDOFF_QUEUE 4096

typedef struct {
  fp_socket *socket; /* NULL once closed */
  napi_threadsafe_function tsfn;
  atomic_uint_fast64_t handoff_dropped;
  int realtime_priority; /* granted, 0 when none */
  int realtime_error;
  char ifname[64];
} handle_t;

/** What the socket thread hands to JavaScript: an unanswered frame or a read error. */
typedef struct {
  int err; /* 0 for a frame */
  int fatal;
  const char *what;
  size_t length;
  uint8_t bytes[];
} handoff_t;

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char message[200];
  snprintf(message, sizeof message, "%s: %s", what, strerror(err));
  napi_value code, msg, error, number;
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &msg);
  napi_create_error(env, NULL, msg, &error);
  napi_create_int32(env, err, &number);
  napi_set_named_property(env, error, "errno", number);
  napi_create_string_utf8(env, strerror(err), NAPI_AUTO_LENGTH, &code);
  napi_set_named_property(env, error, "reason", code);
  napi_throw(env, error);
  return NULL;
}

static napi_value type_error(napi_env env, const char *message) {
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

static int bytes_of(napi_env env, napi_value value, uint8_t **data, size_t *length) {
  bool is_typed;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) return 0;
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  void *raw;
  if (napi_get_typedarray_info(env, value, &type, length, &raw, &buffer, &offset) != napi_ok || type != napi_uint8_array) return 0;
  *data = raw;
  return 1;
}

static int property(napi_env env, napi_value object, const char *name, napi_value *out) {
  bool has = false;
  return napi_has_named_property(env, object, name, &has) == napi_ok && has && napi_get_named_property(env, object, name, out) == napi_ok;
}

/**
 * Reads `{ mac: Uint8Array(6), vlan: -1..4095, addresses: Uint8Array(4n) }` into `table` (whose
 * addresses the caller frees). Throws a TypeError naming the field and returns 0 when it is wrong.
 */
static int read_table(napi_env env, napi_value value, const char *caller, fp_table *table) {
  char message[160];
  napi_valuetype kind;
  napi_value mac, vlan, addresses;
  uint8_t *mac_bytes, *address_bytes;
  size_t mac_length, address_length;
  int32_t vlan_id;
  memset(table, 0, sizeof *table);
  if (napi_typeof(env, value, &kind) != napi_ok || kind != napi_object) {
    snprintf(message, sizeof message, "%s: the table must be an object { mac, vlan, addresses }", caller);
  } else if (!property(env, value, "mac", &mac) || !bytes_of(env, mac, &mac_bytes, &mac_length) || mac_length != 6) {
    snprintf(message, sizeof message, "%s: table.mac must be a Uint8Array of 6 bytes", caller);
  } else if (!property(env, value, "vlan", &vlan) || napi_get_value_int32(env, vlan, &vlan_id) != napi_ok || vlan_id < FP_NO_VLAN || vlan_id > 4095) {
    snprintf(message, sizeof message, "%s: table.vlan must be an integer in 0..4095, or -1 for an untagged interface", caller);
  } else if (!property(env, value, "addresses", &addresses) || !bytes_of(env, addresses, &address_bytes, &address_length) || address_length % 4 != 0) {
    snprintf(message, sizeof message, "%s: table.addresses must be a Uint8Array of IPv4 addresses, 4 bytes each", caller);
  } else {
    memcpy(table->mac, mac_bytes, 6);
    table->vlan = vlan_id;
    table->count = address_length / 4;
    table->addresses = malloc(table->count ? address_length : 1);
    if (!table->addresses) {
      throw_errno(env, caller, ENOMEM);
      return 0;
    }
    memcpy(table->addresses, address_bytes, address_length);
    return 1;
  }
  type_error(env, message);
  return 0;
}

/**
 * Reads `count` arguments into `argv`, the first being a handle from open(). Throws a TypeError
 * with `usage` and returns NULL when they are missing; with `must_be_open`, also when it is closed.
 */
static handle_t *handle_args(napi_env env, napi_callback_info info, napi_value *argv, size_t count, const char *usage, int must_be_open) {
  size_t argc = count;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  handle_t *handle = NULL;
  napi_valuetype kind;
  if (argc >= count && napi_typeof(env, argv[0], &kind) == napi_ok && kind == napi_external) napi_get_value_external(env, argv[0], (void **)&handle);
  if (!handle) {
    type_error(env, usage);
    return NULL;
  }
  if (must_be_open && !handle->socket) {
    char message[120];
    snprintf(message, sizeof message, "the ARP fast path on %s is closed", handle->ifname);
    napi_throw_error(env, "ERR_CLOSED", message);
    return NULL;
  }
  return handle;
}

static napi_value counts_value(napi_env env, const fp_counts *counts) {
  napi_value result, answered, number;
  napi_create_object(env, &result);
  napi_create_array_with_length(env, counts->count, &answered);
  for (size_t i = 0; i < counts->count; i++) {
    const fp_answered *a = &counts->answered[i];
    uint8_t b[4];
    memcpy(b, &a->address, 4);
    napi_value entry, address, requests, responses;
    napi_create_object(env, &entry);
    napi_create_uint32(env, ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3], &address);
    napi_create_double(env, (double)a->requests, &requests);
    napi_create_double(env, (double)a->responses, &responses);
    napi_set_named_property(env, entry, "address", address);
    napi_set_named_property(env, entry, "requests", requests);
    napi_set_named_property(env, entry, "responses", responses);
    napi_set_element(env, answered, (uint32_t)i, entry);
  }
  napi_set_named_property(env, result, "answered", answered);
  napi_create_double(env, (double)counts->send_errors, &number);
  napi_set_named_property(env, result, "sendErrors", number);
  free(counts->answered);
  return result;
}

// --- the socket thread's side -------------------------------------------------------------------

static void hand_off(handle_t *handle, handoff_t *item) {
  if (!item || napi_call_threadsafe_function(handle->tsfn, item, napi_tsfn_nonblocking) != napi_ok) {
    free(item);
    atomic_fetch_add(&handle->handoff_dropped, 1);
  }
}

static void on_unanswered(void *context, const uint8_t *frame, size_t length) {
  handoff_t *item = malloc(sizeof *item + length);
  if (item) {
    *item = (handoff_t){.err = 0, .length = length};
    memcpy(item->bytes, frame, length);
  }
  hand_off(context, item);
}

static void on_error(void *context, const char *what, int err, int fatal) {
  handoff_t *item = malloc(sizeof *item);
  if (item) *item = (handoff_t){.err = err, .fatal = fatal, .what = what};
  hand_off(context, item);
}

/** On the JavaScript thread: onEvent(frame) or onEvent(null, { message, errno, fatal }). */
static void call_js(napi_env env, napi_value callback, void *context, void *data) {
  handoff_t *item = data;
  (void)context;
  if (env && callback) {
    napi_value undefined, argv[2];
    napi_get_undefined(env, &undefined);
    if (item->err == 0) {
      void *copy;
      napi_create_buffer_copy(env, item->length, item->bytes, &copy, &argv[0]);
      argv[1] = undefined;
    } else {
      char message[160];
      snprintf(message, sizeof message, "%s: %s", item->what, strerror(item->err));
      napi_value text, number, fatal;
      napi_get_null(env, &argv[0]);
      napi_create_object(env, &argv[1]);
      napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &text);
      napi_create_int32(env, item->err, &number);
      napi_get_boolean(env, item->fatal, &fatal);
      napi_set_named_property(env, argv[1], "message", text);
      napi_set_named_property(env, argv[1], "errno", number);
      napi_set_named_property(env, argv[1], "fatal", fatal);
    }
    napi_call_function(env, undefined, callback, 2, argv, NULL);
  }
  free(item);
}

// --- lifetime -----------------------------------------------------------------------------------

static void shut(handle_t *handle) {
  if (!handle->socket) return;
  fp_socket_close(handle->socket); // joins the thread: nothing is handed off after this
  handle->socket = NULL;
  napi_release_threadsafe_function(handle->tsfn, napi_tsfn_abort);
}

static void cleanup_hook(void *data) { shut(data); }

static void finalize_handle(napi_env env, void *data, void *hint) {
  (void)hint;
  handle_t *handle = data;
  if (handle->socket) {
    napi_remove_env_cleanup_hook(env, cleanup_hook, handle);
    shut(handle);
  }
  free(handle);
}

// open(ifname, onEvent, { realtimePriority, perCpu }?): handle
static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  handle_t *handle = calloc(1, sizeof *handle);
  if (!handle) return throw_errno(env, "open", ENOMEM);
  size_t name_length = 0;
  napi_valuetype kind = napi_undefined;
  if (argc >= 2) napi_typeof(env, argv[1], &kind);
  if (argc < 2 || napi_get_value_string_utf8(env, argv[0], handle->ifname, sizeof handle->ifname, &name_length) != napi_ok || name_length == 0 ||
      name_length >= 16 || kind != napi_function) {
    free(handle);
    return type_error(env, "open(interface, onEvent, options?): interface must be a name of 1..15 characters and onEvent a function");
  }
  fp_socket_options options = {.realtime_priority = 0, .per_cpu = 1};
  napi_valuetype options_kind = napi_undefined;
  if (argc >= 3) napi_typeof(env, argv[2], &options_kind);
  if (options_kind == napi_object) {
    napi_value value;
    int32_t priority;
    bool per_cpu;
    if (property(env, argv[2], "realtimePriority", &value) && (napi_get_value_int32(env, value, &priority) != napi_ok || priority < 0 || priority > 99)) {
      free(handle);
      return type_error(env, "open: options.realtimePriority must be an integer in 0..99 (0: the default scheduler)");
    }
    if (property(env, argv[2], "realtimePriority", &value)) options.realtime_priority = priority;
    if (property(env, argv[2], "perCpu", &value) && napi_get_value_bool(env, value, &per_cpu) != napi_ok) {
      free(handle);
      return type_error(env, "open: options.perCpu must be a boolean");
    }
    if (property(env, argv[2], "perCpu", &value)) options.per_cpu = per_cpu;
  } else if (options_kind != napi_undefined) {
    free(handle);
    return type_error(env, "open: options must be an object { realtimePriority?, perCpu? }");
  }
  napi_value name;
  napi_create_string_utf8(env, "arp-fastpath", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, argv[1], NULL, name, HANDOFF_QUEUE, 1, NULL, NULL, handle, call_js, &handle->tsfn) != napi_ok) {
    free(handle);
    napi_throw_error(env, NULL, "open: napi_create_threadsafe_function failed");
    return NULL;
  }
  // The socket must not keep Node running: closing it is the owner's business.
  napi_unref_threadsafe_function(env, handle->tsfn);
  const char *what = "open";
  handle->socket = fp_socket_open(handle->ifname, &options, on_unanswered, on_error, handle, &what, &handle->realtime_error);
  if (!handle->socket) {
    int err = errno;
    napi_release_threadsafe_function(handle->tsfn, napi_tsfn_abort);
    char message[120];
    snprintf(message, sizeof message, "opening the ARP fast path on %s: %s", handle->ifname, what);
    free(handle);
    return throw_errno(env, message, err);
  }
  if (options.realtime_priority > 0 && handle->realtime_error == 0) handle->realtime_priority = options.realtime_priority;
  napi_add_env_cleanup_hook(env, cleanup_hook, handle);
  napi_value external;
  napi_create_external(env, handle, finalize_handle, NULL, &external);
  return external;
}

// setTable(handle, table): counts of the table it replaces
static napi_value js_set_table(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  handle_t *handle = handle_args(env, info, argv, 2, "setTable(handle, table): a handle returned by open() and a table expected", 1);
  if (!handle) return NULL;
  fp_table table;
  if (!read_table(env, argv[1], "setTable", &table)) return NULL;
  fp_counts previous = {0};
  int err = fp_socket_set_table(handle->socket, &table, &previous);
  free(table.addresses); // NULL when the socket took it
  if (err) return throw_errno(env, "setTable", err);
  return counts_value(env, &previous);
}

// takeCounts(handle): counts since the last call
static napi_value js_take_counts(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  handle_t *handle = handle_args(env, info, argv, 1, "takeCounts(handle): a handle returned by open() expected", 1);
  if (!handle) return NULL;
  fp_counts counts = {0};
  int err = fp_socket_take_counts(handle->socket, &counts);
  if (err) return throw_errno(env, "takeCounts", err);
  return counts_value(env, &counts);
}

// send(handle, frame): void
static napi_value js_send(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  handle_t *handle = handle_args(env, info, argv, 2, "send(handle, frame): a handle returned by open() and a frame expected", 1);
  if (!handle) return NULL;
  uint8_t *frame;
  size_t length;
  if (!bytes_of(env, argv[1], &frame, &length) || length < 14) return type_error(env, "send: the frame must be a Uint8Array of at least 14 bytes");
  int err = fp_socket_send(handle->socket, frame, length);
  if (err) {
    char message[120];
    snprintf(message, sizeof message, "sending on %s", handle->ifname);
    return throw_errno(env, message, err);
  }
  return NULL;
}

// status(handle): { open, ifindex, readers, realtimePriority, realtimeError?, handoffDropped }
static napi_value js_status(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  handle_t *handle = handle_args(env, info, argv, 1, "status(handle): a handle returned by open() expected", 0);
  if (!handle) return NULL;
  napi_value result, value;
  napi_create_object(env, &result);
  napi_get_boolean(env, handle->socket != NULL, &value);
  napi_set_named_property(env, result, "open", value);
  napi_create_int32(env, handle->socket ? fp_socket_ifindex(handle->socket) : 0, &value);
  napi_set_named_property(env, result, "ifindex", value);
  napi_create_int32(env, handle->socket ? (int32_t)fp_socket_readers(handle->socket) : 0, &value);
  napi_set_named_property(env, result, "readers", value);
  napi_create_int32(env, handle->realtime_priority, &value);
  napi_set_named_property(env, result, "realtimePriority", value);
  if (handle->realtime_error) {
    napi_create_string_utf8(env, strerror(handle->realtime_error), NAPI_AUTO_LENGTH, &value);
    napi_set_named_property(env, result, "realtimeError", value);
  }
  napi_create_double(env, (double)atomic_load(&handle->handoff_dropped), &value);
  napi_set_named_property(env, result, "handoffDropped", value);
  return result;
}

// close(handle): void; closing twice is allowed
static napi_value js_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  handle_t *handle = handle_args(env, info, argv, 1, "close(handle): a handle returned by open() expected", 0);
  if (!handle) return NULL;
  if (handle->socket) {
    napi_remove_env_cleanup_hook(env, cleanup_hook, handle);
    shut(handle);
  }
  return NULL;
}

// decide(table, frame): the reply the fast path would send, or null. Pure: for tests.
static napi_value js_decide(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2) return type_error(env, "decide(table, frame): two arguments expected");
  fp_table table;
  if (!read_table(env, argv[0], "decide", &table)) return NULL;
  uint8_t *frame;
  size_t length;
  if (!bytes_of(env, argv[1], &frame, &length)) {
    free(table.addresses);
    return type_error(env, "decide: the frame must be a Uint8Array");
  }
  fp_sort_addresses(table.addresses, table.count);
  uint8_t reply[FP_REPLY_MAX];
  size_t index;
  size_t reply_length = fp_decide(&table, frame, length, reply, &index);
  free(table.addresses);
  napi_value result;
  if (!reply_length) {
    napi_get_null(env, &result);
    return result;
  }
  void *copy;
  napi_create_buffer_copy(env, reply_length, reply, &copy, &result);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setTable", NULL, js_set_table, NULL, NULL, NULL, napi_enumerable, NULL},
      {"takeCounts", NULL, js_take_counts, NULL, NULL, NULL, napi_enumerable, NULL},
      {"send", NULL, js_send, NULL, NULL, NULL, napi_enumerable, NULL},
      {"status", NULL, js_status, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL},
      {"decide", NULL, js_decide, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
