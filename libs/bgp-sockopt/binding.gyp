{
  "targets": [
    {
      "target_name": "sockopt",
      "sources": ["src/sockopt.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
