{
  "targets": [
    {
      "target_name": "hostwire",
      "sources": [
        "native/binding.cc",
        "native/common/errors.cc",
        "native/common/integer_arg.cc",
        "native/common/poll_handle.cc",
        "native/dgram/address.cc",
        "native/dgram/outcome.cc",
        "native/dgram/socket_options.cc",
        "native/dgram/sender.cc",
        "native/dgram/receiver.cc",
        "native/dgram/dgram.cc",
        "native/sys/sys.cc",
        "native/sys/flock.cc",
        "native/sys/files.cc",
        "native/sys/peer_credentials.cc",
        "native/vlp/crc32c.cc",
        "native/vlp/frame.cc",
        "native/vlp/vlp.cc",
        "native/heartbeat/process_id.cc",
        "native/heartbeat/agent.cc",
        "native/heartbeat/fatal_signals.cc",
        "native/heartbeat/heartbeat.cc",
        "native/netlink/netns.cc",
        "native/netlink/rtnl_socket.cc",
        "native/netlink/messages.cc",
        "native/netlink/records.cc",
        "native/netlink/netlink.cc",
        "native/netlink/monitor.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "native"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_DISABLE_CPP_EXCEPTIONS",
        "NODE_ADDON_API_DISABLE_DEPRECATED"
      ],
      "cflags_cc!": ["-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-fvisibility=hidden", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    }
  ]
}
