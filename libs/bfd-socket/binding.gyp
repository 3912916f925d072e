{
  "targets": [
    {
      "target_name": "bfd_socket",
      "sources": ["src/bfd_socket.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
