#!/usr/bin/env python3
"""Load a sitrep report page in headless Chromium with the network blocked
and check it rendered: screenshots at 1280 and 390 px are not blank, the
headline is in the DOM and visible, no console error, no request outside
the file. Standard library only; DevTools protocol over a pipe (no port).
Method and verification: ../shared/notes/browser-check.md (Debian 12,
Chromium 156).

    browser_check.py PAGE.html HEADLINE OUTDIR
    exit 0 pass, 1 check failed, 2 browser trouble
"""
import base64, collections, fcntl, json, os, pathlib, select, struct, subprocess as sp, sys, tempfile, time, zlib
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
         "--no-first-run", "--disable-extensions", "--disable-sync", "--disable-background-networking",
         "--disable-component-update", "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9",
         "--remote-debugging-pipe"]
BOX = ("(h=>{const e=[...document.querySelectorAll('body *')].filter(x=>x.textContent.includes(h)).pop();"
       "if(!e)return null;const r=document.createRange();r.selectNodeContents(e);"
       "const b=r.getBoundingClientRect();return Math.min(b.width,b.height)})")

def ink(d):  # share of pixels unlike the commonest colour (Chromium's PNG: 8-bit RGB/RGBA)
    w, h, _, ctype = struct.unpack(">IIBB", d[16:26])
    bpp, pos, idat, count = {2: 3, 6: 4}[ctype], 8, b"", collections.Counter()
    while pos < len(d):
        n = int.from_bytes(d[pos:pos + 4], "big")
        idat += d[pos + 8:pos + 8 + n] if d[pos + 4:pos + 8] == b"IDAT" else b""
        pos += 12 + n
    raw, L = zlib.decompress(idat), w * bpp
    hi, lo = (int.from_bytes(bytes([v]) * L, "big") for v in (128, 127))
    prev = bytes(L)
    for y in range(h):
        f, row = raw[y * (L + 1)], bytearray(raw[y * (L + 1) + 1:(y + 1) * (L + 1)])
        if f == 2:  # Up, most rows: bytewise add of two rows as big integers
            x, p = int.from_bytes(row, "big"), int.from_bytes(prev, "big")
            row = (((x & lo) + (p & lo)) ^ ((x ^ p) & hi)).to_bytes(L, "big")
        elif f:  # Sub, Average, Paeth
            for i in range(L):
                a, b, c = (row[i - bpp], prev[i], prev[i - bpp]) if i >= bpp else (0, prev[i], 0)
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                row[i] = (row[i] + (a if f == 1 else (a + b) // 2 if f == 3 else
                                    a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        prev = bytes(row)
        count.update(zip(*(prev[c::bpp] for c in range(bpp))))
    return 1 - count.most_common(1)[0][1] / (w * h)

def main(page, headline, out, widths=(1280, 390), min_ink=0.005):
    url, out, t0 = pathlib.Path(page).resolve().as_uri(), pathlib.Path(out), time.monotonic()
    out.mkdir(parents=True, exist_ok=True)
    (cmd_r, cmd_w), (res_r, res_w) = os.pipe(), os.pipe()
    def fds():  # chromium reads commands on fd 3, answers on fd 4 (NUL-separated JSON)
        a, b = (fcntl.fcntl(x, fcntl.F_DUPFD, 10) for x in (cmd_r, res_w)); os.dup2(a, 3); os.dup2(b, 4)
    prof = tempfile.TemporaryDirectory()
    proc = sp.Popen([os.environ.get("CHROMIUM", "chromium"), *FLAGS, "--user-data-dir=" + prof.name, "about:blank"],
                    stdin=sp.DEVNULL, stdout=sp.DEVNULL, stderr=open(out / "chromium.log", "wb"),
                    preexec_fn=fds, pass_fds=(3, 4))
    os.close(cmd_r); os.close(res_w)
    st, events, fails = {"buf": b"", "id": 0}, [], []

    def recv():
        while b"\0" not in st["buf"]:
            if not select.select([res_r], [], [], max(0, t0 + 60 - time.monotonic()))[0]:
                raise TimeoutError("60 s without an answer")
            chunk = os.read(res_r, 1 << 20)
            if not chunk: raise EOFError("chromium exited")
            st["buf"] += chunk
        raw, st["buf"] = st["buf"].split(b"\0", 1)
        m = json.loads(raw)
        if "method" in m: events.append(m)
        return m

    def call(method, params=None, sid=None, wait=True):
        st["id"] += 1
        msg = {"id": st["id"], "method": method, "params": params or {}, **({"sessionId": sid} if sid else {})}
        os.write(cmd_w, json.dumps(msg).encode() + b"\0")
        while wait:
            if (m := recv()).get("id") == st["id"]:
                if "error" in m: raise RuntimeError(f"{method}: {m['error']}")
                return m["result"]

    try:
        t = call("Target.createTarget", {"url": "about:blank"})["targetId"]
        s = call("Target.attachToTarget", {"targetId": t, "flatten": True})["sessionId"]
        for m in ("Page.enable", "Runtime.enable", "Log.enable", "Network.enable"): call(m, sid=s)
        js = lambda e: call("Runtime.evaluate", {"expression": e, "returnByValue": True,
                                                 "awaitPromise": True}, s)["result"].get("value")
        for w in widths:
            call("Emulation.setDeviceMetricsOverride",
                 {"width": w, "height": 900, "deviceScaleFactor": 1, "mobile": False}, s)
            mark = len(events)
            if err := call("Page.navigate", {"url": url}, s).get("errorText"):
                fails.append("navigation failed: " + err); break
            while not any(e["method"] == "Page.loadEventFired" for e in events[mark:]): recv()
            js("document.fonts.ready.then(()=>new Promise(r=>requestAnimationFrame(()=>requestAnimationFrame(r))))")
            png = base64.b64decode(call("Page.captureScreenshot", {"captureBeyondViewport": True}, s)["data"])
            (out / f"shot-{w}.png").write_bytes(png)
            share, box = ink(png), js(f"{BOX}({json.dumps(headline)})")
            print(f"shot-{w}.png: {share:.1%} non-background pixels")
            if share < min_ink: fails.append(f"blank page at {w}px")
            if box is None: fails.append(f"headline not in DOM: {headline!r}")
            elif box < 1: fails.append(f"headline not visible at {w}px (no fonts?)")
        (out / "dom.html").write_text(js("document.documentElement.outerHTML") or "")
    except (OSError, EOFError, TimeoutError, RuntimeError) as e:
        print("BROWSER ERROR:", repr(e)); return 2
    finally:
        try: call("Browser.close", wait=False); proc.wait(10)
        except Exception: proc.kill()
        prof.cleanup()
    for m, p in ((e["method"], e["params"]) for e in events):
        u = p.get("request", {}).get("url", "")
        if m == "Network.requestWillBeSent" and u.split("#")[0] != url and not u.startswith("data:"):
            fails.append("request outside the file: " + u)
        elif m == "Runtime.exceptionThrown":
            fails.append("uncaught: " + p["exceptionDetails"].get("exception", {}).get("description", "?").split("\n")[0])
        elif m == "Runtime.consoleAPICalled" and p["type"] in ("error", "assert"):
            fails.append("console.error: " + " ".join(str(a.get("value", a.get("description"))) for a in p["args"]))
        elif m == "Log.entryAdded" and p["entry"]["level"] == "error":
            fails.append(f"console: {p['entry']['text']} {p['entry'].get('url', '')}")
    for f in dict.fromkeys(fails): print("FAIL:", f)
    print(f"{'FAIL' if fails else 'PASS'} {page} ({time.monotonic() - t0:.1f}s)")
    return 1 if fails else 0

if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
