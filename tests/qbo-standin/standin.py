#!/usr/bin/env python3
"""A local stand-in for QuickBooks Online (never shipped): the QBO v3 endpoints PET uses,
following Intuit's published shapes, for the adapter's and the outbox's tests.

- POST /v3/company/{realm}/{customer|invoice|estimate|timeactivity}?requestid=…&minorversion=…
  creates (or, with "sparse": true, Id and SyncToken, updates; a TimeActivity with Id and
  SyncToken and no "sparse" is a full update: every writable field left out is cleared) and
  answers
  {"Customer"|"Invoice"|"Estimate"|"TimeActivity": {...}, "time": …}. A requestid seen
  before is answered with the first answer and creates nothing (Intuit's duplicate
  detection). An update quoting another SyncToken than the record's is refused with a 400
  ValidationFault code 5010 "Stale Object Error". POST …/timeactivity?operation=delete with
  Id and SyncToken deletes it and answers {"TimeActivity": {"status": "Deleted", "Id": …}}.
  A TimeActivity needs a known CustomerRef, NameOf Employee with an EmployeeRef
  or Vendor with a VendorRef, and Hours/Minutes.
- GET  /v3/company/{realm}/query?query=select * from Invoice where DocNumber = 'Q-1'
  (optionally ending in `maxresults n`; TimeActivity by TxnDate) answers
  {"QueryResponse": {"Invoice": [...]}}; a record shows in queries only `query_lag` seconds
  after it was made (eventual visibility).
- GET  /v3/company/{realm}/{entity}/{id}: the record, or a 400 ValidationFault code 610
  "Object Not Found" once deleted.
- OAuth: GET /connect/oauth2 redirects back with code, state and realmId; POST
  /oauth2/v1/tokens/bearer (authorization_code, refresh_token; client id and secret by
  HTTP basic auth) issues tokens that expire after `token_ttl` seconds; an API call with an
  expired or unknown token gets a 401 AuthenticationFailed fault.
- Faults, scripted through POST /_control/script with a list of
  {"status": 429|500|503, "count": n, "accept": bool, "hang": seconds}: the next n API
  writes fail with that status (after making the record when "accept" is true; after
  sleeping `hang` seconds when given). GET /_control/state lists every record and the
  count of creates; POST /_control/delete, /_control/edit, /_control/config change it.

Run: standin.py [port] (0 picks a free port); the first stdout line is the port.
"""
import base64
import json
import re
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATE = {
    "records": {"Customer": {}, "Invoice": {}, "Estimate": {}, "TimeActivity": {}},
    "next_id": 100,
    "requests": {},  # requestid -> (status, body)
    "creates": 0,
    "faults": [],
    "config": {"query_lag": 0.0, "token_ttl": 3600, "client_id": "pet-client", "client_secret": "pet-secret"},
    "tokens": {},  # access token -> expiry (epoch seconds)
    "refresh": {},  # refresh token -> True
    "codes": {},
    "seq": 0,
}
ENTITIES = {"customer": "Customer", "invoice": "Invoice", "estimate": "Estimate", "timeactivity": "TimeActivity"}


def fault(code, message, detail, kind="ValidationFault"):
    return {"Fault": {"Error": [{"Message": message, "Detail": detail, "code": str(code)}], "type": kind},
            "time": now_iso()}


def now_iso():
    return time.strftime("%Y-%m-%dT%H:%M:%S-07:00", time.gmtime())


def minor(x):
    # amounts are decimals with at most two digits here (the tests use EUR)
    return round(float(x) * 100)


def issue_tokens():
    with LOCK:
        STATE["seq"] += 1
        n = STATE["seq"]
        access = f"access-{n}"
        refresh = f"refresh-{n}"
        STATE["tokens"][access] = time.time() + STATE["config"]["token_ttl"]
        STATE["refresh"][refresh] = True
        ttl = STATE["config"]["token_ttl"]
    return {"token_type": "bearer", "access_token": access, "refresh_token": refresh,
            "expires_in": ttl, "x_refresh_token_expires_in": 8726400}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_json(self, status, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def authorised(self):
        auth = self.headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else ""
        with LOCK:
            exp = STATE["tokens"].get(token)
        if exp is None or exp < time.time():
            self.send_json(401, {"fault": {"error": [{
                "message": "message=AuthenticationFailed; errorCode=003200; statusCode=401",
                "detail": "Token expired" if exp else "Token invalid", "code": "3200"}],
                "type": "AUTHENTICATION"}, "time": now_iso()})
            return False
        return True

    # ---- GET ---------------------------------------------------------------------------
    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/_control/state":
            with LOCK:
                return self.send_json(200, {"records": STATE["records"], "creates": STATE["creates"],
                                            "updates": STATE.get("updates", 0),
                                            "deletes": STATE.get("deletes", 0),
                                            "requests": len(STATE["requests"])})
        if url.path == "/connect/oauth2":
            code = f"code-{len(STATE['codes']) + 1}"
            with LOCK:
                STATE["codes"][code] = True
            target = q["redirect_uri"] + ("&" if "?" in q["redirect_uri"] else "?") + urllib.parse.urlencode(
                {"code": code, "state": q.get("state", ""), "realmId": "9130350000000001"})
            self.send_response(302)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        m = re.fullmatch(r"/v3/company/([^/]+)/query", url.path)
        if m:
            if not self.authorised():
                return
            return self.query(q.get("query", ""))
        m = re.fullmatch(r"/v3/company/([^/]+)/(customer|invoice|estimate|timeactivity)/([^/]+)", url.path)
        if m:
            if not self.authorised():
                return
            name = ENTITIES[m.group(2)]
            with LOCK:
                rec = STATE["records"][name].get(m.group(3))
            if rec is None or rec.get("_deleted"):
                return self.send_json(400, fault(610, "Object Not Found",
                                                 f"Object Not Found : Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees."))
            return self.send_json(200, {name: public(rec), "time": now_iso()})
        self.send_json(404, fault(404, "Not found", self.path))

    def query(self, query):
        m = re.fullmatch(r"\s*select \* from (\w+)(?: where (\w+) = '((?:[^'\\]|\\.)*)')?(?: maxresults (\d+))?\s*",
                         query, re.I)
        if not m or m.group(1) not in STATE["records"]:
            return self.send_json(400, fault(4000, "Error parsing query", query, "ValidationFault"))
        name, field, value = m.group(1), m.group(2), m.group(3)
        limit = int(m.group(4) or 100)
        value = re.sub(r"\\(.)", r"\1", value) if value is not None else None
        horizon = time.time() - STATE["config"]["query_lag"]
        with LOCK:
            rows = [public(r) for r in STATE["records"][name].values()
                    if not r.get("_deleted") and r["_made"] <= horizon
                    and (field is None or str(r.get(field)) == value)][:limit]
        resp = {"startPosition": 1, "maxResults": len(rows)} if rows else {}
        if rows:
            resp[name] = rows
        self.send_json(200, {"QueryResponse": resp, "time": now_iso()})

    # ---- POST --------------------------------------------------------------------------
    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        raw = self.body()
        if url.path.startswith("/_control/"):
            return self.control(url.path[len("/_control/"):], json.loads(raw or b"{}"))
        if url.path == "/oauth2/v1/tokens/bearer":
            return self.token(dict(urllib.parse.parse_qsl(raw.decode())))
        m = re.fullmatch(r"/v3/company/([^/]+)/(customer|invoice|estimate|timeactivity)", url.path)
        if not m:
            return self.send_json(404, fault(404, "Not found", self.path))
        if not self.authorised():
            return
        name = ENTITIES[m.group(2)]
        rid = q.get("requestid")
        with LOCK:
            seen = STATE["requests"].get(rid) if rid else None
            f = STATE["faults"][0] if STATE["faults"] else None
            if f:
                f["count"] -= 1
                if f["count"] <= 0:
                    STATE["faults"].pop(0)
        if f and not f.get("accept"):
            return self.fail(f)
        if seen:
            status, body = seen
        elif q.get("operation") == "delete":
            status, body = self.delete(name, json.loads(raw or b"{}"))
            if rid:
                with LOCK:
                    STATE["requests"][rid] = (status, body)
        else:
            status, body = self.write(name, json.loads(raw or b"{}"))
            if rid:
                with LOCK:
                    STATE["requests"][rid] = (status, body)
        if f:
            return self.fail(f)
        self.send_json(status, body)

    def fail(self, f):
        if f.get("hang"):
            time.sleep(float(f["hang"]))
        st = int(f["status"])
        if st == 429:
            return self.send_json(429, fault(3001, "message=ThrottleExceeded; errorCode=003001; statusCode=429",
                                             "The request limit was reached.", "SERVICE"), {"Retry-After": "60"})
        return self.send_json(st, fault(st, "An application error has occurred while processing your request",
                                        "System Failure Error: stand-in scripted fault", "SystemFault"))

    def delete(self, name, body):
        with LOCK:
            rec = STATE["records"][name].get(str(body.get("Id")))
            if rec is None or rec.get("_deleted"):
                return 400, fault(610, "Object Not Found", "Object Not Found")
            if str(rec["SyncToken"]) != str(body.get("SyncToken")):
                return 400, fault(5010, "Stale Object Error",
                                  "Stale Object Error : You and root were working on this at the same time.")
            rec["_deleted"] = True
            STATE["deletes"] = STATE.get("deletes", 0) + 1
            return 200, {name: {"status": "Deleted", "domain": "QBO", "Id": rec["Id"]}, "time": now_iso()}

    def write(self, name, body):
        with LOCK:
            recs = STATE["records"][name]
            if name == "TimeActivity" and body.get("Id") and not body.get("sparse"):
                # A full update: the writable fields are the body's (the rest is cleared).
                rec = recs.get(str(body["Id"]))
                if rec is None or rec.get("_deleted"):
                    return 400, fault(610, "Object Not Found", "Object Not Found")
                if str(rec["SyncToken"]) != str(body.get("SyncToken")):
                    return 400, fault(5010, "Stale Object Error",
                                      "Stale Object Error : You and root were working on this at the same time.")
                if not isinstance(body.get("Hours"), int) or not isinstance(body.get("Minutes"), int):
                    return 400, fault(2020, "Required param missing, need to supply the required value for the API",
                                      "Required parameter Hours/Minutes is missing in the request")
                kept = {k: rec[k] for k in ("Id", "_made", "MetaData")}
                rec.clear()
                rec.update({k: v for k, v in body.items() if k not in ("Id", "SyncToken", "MetaData")})
                rec.update(kept)
                rec["SyncToken"] = str(int(body["SyncToken"]) + 1)
                STATE["updates"] = STATE.get("updates", 0) + 1
                return 200, {name: public(rec), "time": now_iso()}
            if body.get("sparse") and body.get("Id"):
                rec = recs.get(str(body["Id"]))
                if rec is None or rec.get("_deleted"):
                    return 400, fault(610, "Object Not Found", "Object Not Found")
                if str(rec["SyncToken"]) != str(body.get("SyncToken")):
                    return 400, fault(5010, "Stale Object Error",
                                      f"Stale Object Error : You and root were working on this at the same time.")
                for k, v in body.items():
                    if k not in ("Id", "SyncToken", "sparse"):
                        rec[k] = v
                rec["SyncToken"] = str(int(rec["SyncToken"]) + 1)
                totals(name, rec)
                return 200, {name: public(rec), "time": now_iso()}
            if name == "Customer":
                dn = body.get("DisplayName", "")
                if not dn:
                    return 400, fault(2020, "Required param missing, need to supply the required value for the API",
                                      "Required parameter DisplayName is missing in the request")
                if any(r["DisplayName"] == dn and not r.get("_deleted") for r in recs.values()):
                    return 400, fault(6240, "Duplicate Name Exists Error",
                                      f"The name supplied already exists. : {dn}")
            else:
                cref = (body.get("CustomerRef") or {}).get("value")
                if cref not in STATE["records"]["Customer"]:
                    return 400, fault(2500, "Invalid Reference Id", f"Invalid Reference Id : Customer {cref}")
            if name == "TimeActivity":
                who = {"Employee": "EmployeeRef", "Vendor": "VendorRef"}.get(body.get("NameOf"))
                if who is None or not (body.get(who) or {}).get("value"):
                    return 400, fault(2020, "Required param missing, need to supply the required value for the API",
                                      "Required parameter NameOf with EmployeeRef or VendorRef is missing in the request")
                if not isinstance(body.get("Hours"), int) or not isinstance(body.get("Minutes"), int):
                    return 400, fault(2020, "Required param missing, need to supply the required value for the API",
                                      "Required parameter Hours/Minutes is missing in the request")
            STATE["next_id"] += 1
            STATE["creates"] += 1
            rec = dict(body)
            rec.update({"Id": str(STATE["next_id"]), "SyncToken": "0", "_made": time.time(),
                        "MetaData": {"CreateTime": now_iso(), "LastUpdatedTime": now_iso()}})
            totals(name, rec)
            recs[rec["Id"]] = rec
            return 200, {name: public(rec), "time": now_iso()}

    def token(self, form):
        auth = self.headers.get("Authorization", "")
        cfg = STATE["config"]
        expected = "Basic " + base64.b64encode(f"{cfg['client_id']}:{cfg['client_secret']}".encode()).decode()
        if auth != expected and not (form.get("client_id") == cfg["client_id"] and form.get("client_secret") == cfg["client_secret"]):
            return self.send_json(401, {"error": "invalid_client"})
        grant = form.get("grant_type")
        with LOCK:
            if grant == "authorization_code":
                ok = STATE["codes"].pop(form.get("code"), None)
            elif grant == "refresh_token":
                ok = STATE["refresh"].pop(form.get("refresh_token"), None)
            else:
                ok = None
        if not ok:
            return self.send_json(400, {"error": "invalid_grant"})
        self.send_json(200, issue_tokens())

    def control(self, what, body):
        with LOCK:
            if what == "script":
                STATE["faults"].extend(body.get("faults", []))
            elif what == "config":
                STATE["config"].update(body)
            elif what == "delete":
                STATE["records"][body["entity"]][str(body["id"])]["_deleted"] = True
            elif what == "edit":
                rec = STATE["records"][body["entity"]][str(body["id"])]
                rec.update(body.get("fields", {}))
                rec["SyncToken"] = str(int(rec["SyncToken"]) + 1)
            elif what == "expire_tokens":
                for t in STATE["tokens"]:
                    STATE["tokens"][t] = 0
            elif what == "issue_token":
                pass
        if what == "issue_token":
            return self.send_json(200, issue_tokens())
        self.send_json(200, {"ok": True})


def totals(name, rec):
    if name in ("Customer", "TimeActivity"):
        return
    lines = [l for l in rec.get("Line", []) if l.get("DetailType") == "SalesItemLineDetail"]
    net = sum(minor(l.get("Amount", 0)) for l in lines)
    tax = minor((rec.get("TxnTaxDetail") or {}).get("TotalTax", 0))
    total = net + tax
    rec["TotalAmt"] = float(f"{total // 100}.{total % 100:02d}")
    rec["Line"] = lines + [{"Amount": net / 100, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}}]


def public(rec):
    return {k: v for k, v in rec.items() if not k.startswith("_")}


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    srv = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    srv.daemon_threads = True
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
