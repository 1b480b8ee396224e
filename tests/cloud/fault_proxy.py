#!/usr/bin/env python3
"""A fault-injecting HTTP proxy on 127.0.0.1 in front of the S3 emulator. Requests are
numbered; on a fixed schedule (deterministic, so a failure reproduces) it answers 503 SlowDown
or 500 InternalError without forwarding, forwards after a delay, or forwards and cuts the
answer's body half way (the connection closes short of its Content-Length). Everything else
passes through. It prints its port, then one line per fault, and the counts on SIGTERM.

usage: fault_proxy.py UPSTREAM_URL
"""
import http.client
import http.server
import signal
import sys
import threading
import time
import urllib.parse

upstream = urllib.parse.urlsplit(sys.argv[1])
lock = threading.Lock()
counts = {"requests": 0, "503": 0, "500": 0, "slow": 0, "cut": 0}


def fault_for(n):
    for kind, every, offset in (("503", 7, 3), ("500", 11, 5), ("slow", 13, 7), ("cut", 17, 9)):
        if n % every == offset:
            return kind
    return None


ERROR_BODY = b'<?xml version="1.0"?><Error><Code>%s</Code><Message>injected</Message></Error>'


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def handle_any(self):
        with lock:
            counts["requests"] += 1
            n = counts["requests"]
            fault = fault_for(n)
            if fault:
                counts[fault] += 1
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        if fault:
            print(f"fault_proxy: request {n} {self.command} {self.path.split('?')[0]}: {fault}", flush=True)
        if fault in ("503", "500"):
            code = b"SlowDown" if fault == "503" else b"InternalError"
            payload = ERROR_BODY % code
            self.send_response(int(fault))
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        if fault == "slow":
            time.sleep(1.5)
        conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection",)}
        conn.request(self.command, self.path, body=body, headers=headers)
        answer = conn.getresponse()
        data = answer.read()
        self.send_response(answer.status)
        for k, v in answer.getheaders():
            if k.lower() not in ("connection", "transfer-encoding", "content-length"):
                self.send_header(k, v)
        # A HEAD answer carries the object's length and no body.
        self.send_header("Content-Length", answer.getheader("Content-Length", "0") if self.command == "HEAD" else str(len(data)))
        if fault == "cut" and len(data) > 1:
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.end_headers()
        self.wfile.write(data)
        conn.close()

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = handle_any


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
server.daemon_threads = True


def stop(*_):
    print(f"fault_proxy: {counts}", flush=True)
    sys.exit(0)


signal.signal(signal.SIGTERM, stop)
print(server.server_address[1], flush=True)
server.serve_forever()
