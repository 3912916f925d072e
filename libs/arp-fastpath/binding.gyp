{
  "targets": [
    {
      "target_name": "arp_fastpath",
      "sources": ["src/addon.c", "src/socket.c", "src/decide.c"],
      "cflags": ["-Wall", "-Wextra", "-O2", "-std=gnu11", "-pthread", "-fexceptions"],
      "ldflags": ["-pthread"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
