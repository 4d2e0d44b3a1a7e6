"""The emulator's HTTP front: routing, bearer auth, request bodies, injected faults and the
request log."""
