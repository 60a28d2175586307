"""The hostile-input suite: hand-forged tokens against the core and against a real server."""
