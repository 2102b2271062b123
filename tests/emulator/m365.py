#!/usr/bin/python3
"""Loopback HTTPS emulator of the Microsoft identity platform token endpoint
and of the Microsoft Graph v1.0 endpoints that pam_sspr uses.

Behaviour follows /work/shared/graph.md (Microsoft docs plus observed bodies);
see tests/emulator/README.md for the CLI, tenant.json fields and the
/_emulator/ control API.  Error codes not listed in graph.md are the
emulator's own best guess and are marked "(emulator choice)" below.

Run with Debian's /usr/bin/python3 (stdlib + python3-cryptography).
"""

import argparse
import base64
import binascii
import copy
import email
import email.policy
import email.utils
import hashlib
import hmac
import json
import os
import re
import secrets
import signal
import socket
import ssl
import string
import struct
import sys
import threading
import time
import traceback
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

MAX_BODY = 1 << 20            # hostile/huge bodies are refused with 413
MAX_WAIT = 30.0               # upper bound for injected delays and hangs
CLOCK_SKEW = 300              # Entra tolerates 5 min of clock skew on nbf
MAX_ASSERTION_LIFETIME = 600  # exp - nbf: "5-10 minutes after nbf at most"
MAX_LOG = 10000               # keep memory bounded in long test runs

MS_GRAPH_SCOPE = "https://graph.microsoft.com/.default"
# Azure Communication Services' resource, for an Entra token to send SMS.
ACS_SCOPE = "https://communication.azure.com/.default"
ACS_SMS_PATH = "/sms"
ACS_SMS_API_VERSION = "2021-03-07"
# ACS refuses a signed request whose x-ms-date is further off than this.
ACS_DATE_SKEW = 15 * 60
# Fixed ids of the three phone authentication methods, per the Graph docs.
PHONE_METHOD_IDS = {"alternateMobile": "b6332ec1-7057-4abe-9331-3d72feddfe41",
                    "office": "e37fc753-ff3b-4958-9484-eaa9425c82bc",
                    "mobile": "3179e48a-750b-4051-897c-87b9720928f7"}
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
CERT_DOC = "https://learn.microsoft.com/entra/identity-platform/certificate-credentials"
# Fixed id of the (single) email authentication method, per the Graph docs.
EMAIL_METHOD_ID = "3ddfcfc8-9383-446f-83cc-3ab9be4be18f"

LOGIN_CT = "application/json; charset=utf-8"
GRAPH_CT = ("application/json; odata.metadata=minimal; odata.streaming=true; "
            "IEEE754Compatible=false; charset=utf-8")
# What real Graph sends with a 401 (observed).
GRAPH_WWW_AUTH = ('Bearer realm="", authorization_uri="https://login.microsoftonline.com/'
                  'common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"')

PASSWORD_WRITE_ROLES = {"User-PasswordProfile.ReadWrite.All", "User.ReadWrite.All",
                        "Directory.ReadWrite.All"}
AUTH_METHOD_READ_ROLES = {"UserAuthenticationMethod.Read.All",
                          "UserAuthenticationMethod.ReadWrite.All"}
MAIL_SEND_ROLES = {"Mail.Send"}
# POST /users/{id}/checkMemberGroups, application permissions: GroupMember.Read.All
# with User.Read.All, or Group.Read.All, or Directory.Read.All (the brief's
# reading of user-checkmembergroups.md).
MEMBER_GROUPS_ALONE = {"Group.Read.All", "Directory.Read.All"}
MEMBER_GROUPS_PAIR = {"GroupMember.Read.All", "User.Read.All"}
MEMBER_GROUPS_MAX = 20   # ids per request (documented limit)
GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                     r"[0-9a-fA-F]{12}$")
# Directory roles able to reset a non-admin's password / an admin's password.
RESET_USER_DIR_ROLES = {"User Administrator", "Helpdesk Administrator", "Password Administrator",
                        "Authentication Administrator", "Privileged Authentication Administrator",
                        "Global Administrator"}
RESET_ADMIN_DIR_ROLES = {"Privileged Authentication Administrator", "Global Administrator"}

# Entra password rules (concept-sspr-policy.md); blank space counts as a symbol.
PASSWORD_SYMBOLS = set("@#$%^&*-_!+=[]{}|\\:',.?/`~\"();<> ")
PASSWORD_ALLOWED = set(string.ascii_letters + string.digits) | PASSWORD_SYMBOLS

# Graph property names (canonical spelling) we can $select, and the default set
# real Graph returns without $select (accountEnabled etc. are NOT in it).
USER_PROPERTIES = ["id", "userPrincipalName", "displayName", "mail", "accountEnabled",
                   "onPremisesSyncEnabled", "lastPasswordChangeDateTime", "passwordPolicies",
                   "passwordProfile", "givenName", "surname", "jobTitle", "mobilePhone",
                   "officeLocation", "preferredLanguage", "businessPhones"]
DEFAULT_USER_SELECT = ["businessPhones", "displayName", "givenName", "jobTitle", "mail",
                       "mobilePhone", "officeLocation", "preferredLanguage", "surname",
                       "userPrincipalName", "id"]
PASSWORD_PROFILE_KEYS = {"password", "forceChangePasswordNextSignIn",
                         "forceChangePasswordNextSignInWithMfa"}

# Query/form parameters that must never reach a log.
SECRET_PARAMS = {"client_secret", "client_assertion", "access_token", "password", "code",
                 "refresh_token", "assertion"}

TOKEN_PATH = re.compile(r"^/([^/]+)/oauth2/v2\.0/token$")


# ---------------------------------------------------------------- helpers

def utcnow():
    return datetime.now(timezone.utc)


def iso_z(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch_iso(value):
    # Assertion claims may be absurd numbers; never let formatting raise.
    try:
        return iso_z(datetime.fromtimestamp(value, timezone.utc))
    except (OverflowError, OSError, ValueError, TypeError):
        return str(value)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text):
    if not isinstance(text, str) or not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def json_bytes(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def media_type(headers):
    return (headers.get("Content-Type") or "").split(";")[0].strip().lower()


def write_atomic(path, text):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def log_line(text):
    sys.stderr.write("m365: %s\n" % text)
    sys.stderr.flush()


class Reply:
    """An HTTP reply built by a handler and written by Handler.send()."""

    def __init__(self, status, body=None, headers=None):
        self.status = status
        self.body = body          # None, bytes, or a JSON-able object
        self.headers = dict(headers or {})

    def payload(self):
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        return json_bytes(self.body)


class GraphError(Exception):
    def __init__(self, status, code, message, headers=None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


class LoginError(Exception):
    def __init__(self, status, error, code, message):
        super().__init__(message)
        self.status, self.error, self.code, self.message = status, error, code, message


class ControlError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status, self.message = status, message


# ---------------------------------------------------------------- tenant data

def load_certificate(path):
    """Registered client certificate -> (sha1 x5t, sha256 x5t#S256, public key)."""
    with open(path, "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    der = cert.public_bytes(serialization.Encoding.DER)
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("%s: only RSA client certificates are supported" % path)
    return {"path": path, "x5t": b64url(hashlib.sha1(der).digest()),
            "x5t#S256": b64url(hashlib.sha256(der).digest()), "key": key}


USER_FIELDS = {
    # name: (allowed types, default or a callable(upn) making it)
    "id": ((str,), lambda upn: str(uuid.uuid4())),
    "userPrincipalName": ((str,), lambda upn: upn),
    "displayName": ((str, type(None)), lambda upn: upn.split("@")[0]),
    "mail": ((str, type(None)), None),
    "password": ((str, type(None)), None),
    "accountEnabled": ((bool,), True),
    "onPremisesSyncEnabled": ((bool,), False),
    "emailMethods": ((list,), lambda upn: []),
    "softwareOathMethods": ((int,), 0),
    # [{"phoneNumber": "+81 9012345678", "phoneType": "mobile"}, ...]
    "phoneMethods": ((list,), lambda upn: []),
    "mailbox": ((bool,), True),
    "isAdmin": ((bool,), False),
    "passwordPolicies": ((str, type(None)), None),
    "lastPasswordChangeDateTime": ((str, type(None)), None),
    "forceChangePasswordNextSignIn": ((bool,), False),
    "passwordChangeCount": ((int,), 0),
}


def normalise_user(upn, rec):
    """Fill defaults and type-check a user record; ValueError on bad input so a
    typo in tenant.json or a PUT fails loudly instead of being ignored."""
    if not isinstance(rec, dict):
        raise ValueError("user %r must be an object" % upn)
    unknown = set(rec) - set(USER_FIELDS)
    if unknown:
        raise ValueError("user %r: unknown field(s) %s" % (upn, ", ".join(sorted(unknown))))
    out = {}
    for name, (types, default) in USER_FIELDS.items():
        value = rec[name] if name in rec else (default(upn) if callable(default) else default)
        if not isinstance(value, types) or (bool not in types and isinstance(value, bool)):
            raise ValueError("user %r: field %s has the wrong type" % (upn, name))
        out[name] = value
    if not all(isinstance(a, str) for a in out["emailMethods"]):
        raise ValueError("user %r: emailMethods must be a list of strings" % upn)
    for m in out["phoneMethods"]:
        if (not isinstance(m, dict) or set(m) != {"phoneNumber", "phoneType"}
                or not isinstance(m["phoneNumber"], str)
                or m["phoneType"] not in PHONE_METHOD_IDS):
            raise ValueError("user %r: phoneMethods must be objects of phoneNumber and "
                             "phoneType (mobile, alternateMobile, office)" % upn)
    if out["mail"] is None and out["mailbox"]:
        out["mail"] = out["userPrincipalName"]
    return out


APP_FIELDS = ("client_secret", "app_roles", "directory_role", "banned_passwords",
              "token_lifetime")


class State:
    """Everything the emulator knows; one lock guards it all (traffic is tiny)."""

    def __init__(self, tenant_file, state_file=None):
        with open(tenant_file, encoding="utf-8") as f:
            cfg = json.load(f)
        base = os.path.dirname(os.path.abspath(tenant_file))
        self.lock = threading.RLock()
        self.state_file = state_file
        self.domain = cfg["tenant"]
        self.tenant_id = cfg["tenant_id"]
        self.client_id = cfg["client_id"]
        self.certs = [load_certificate(os.path.join(base, p))
                      for p in cfg.get("client_certificates", [])]
        self.app = {}
        self.update_app({k: cfg[k] for k in APP_FIELDS if k in cfg})
        self.users = {}
        for upn, rec in cfg.get("users", {}).items():
            user = normalise_user(upn, rec)
            self.users[user["userPrincipalName"].lower()] = user
        # Entra groups: object id -> members (user UPNs or ids, or group ids:
        # nested groups count, transitively, as in checkMemberGroups).
        self.groups = {}
        self.set_groups(cfg.get("groups", {}))
        self.tokens = {}     # access token -> expiry (epoch seconds)
        self.jtis = {}       # assertion jti -> expiry, for replay detection
        self.log = []
        self.outbox = []
        # The ACS resource: its access key (base64, as the portal shows it)
        # and the numbers or sender IDs it may send from; and a customer's
        # own SMS gateway (sms_transport = webhook) with its bearer secret.
        acs = cfg.get("acs", {})
        self.acs_key = acs.get("access_key")
        self.acs_senders = list(acs.get("senders", []))
        self.webhook_secret = cfg.get("sms_webhook", {}).get("secret")
        self.sms = []
        self.faults = []
        # Requests a "hold" fault keeps until POST /_emulator/release: a test
        # acts while one is known to be in flight, without guessing a delay.
        self.held = []
        # A network to model (seconds): "request" before every answer, "connect"
        # before every TLS handshake (TCP + TLS round trips), "idle_timeout" closes
        # a keep-alive connection that waits that long for its next request, as
        # real front ends do (None: the handler's own 60 s).
        self.latency = {"request": 0.0, "connect": 0.0, "idle_timeout": None}
        self.connections = 0  # TCP connections accepted, for the log's "connection"

    def set_groups(self, groups):
        if (not isinstance(groups, dict)
                or not all(isinstance(k, str) and GUID_RE.match(k) for k in groups)
                or not all(isinstance(v, list) and all(isinstance(m, str) for m in v)
                           for v in groups.values())):
            raise ValueError("groups must map group object ids (GUIDs) to lists of "
                             "members (UPNs, user ids or group ids)")
        with self.lock:
            self.groups = {k.lower(): list(v) for k, v in groups.items()}

    def groups_of(self, user):
        """Every group the user is in, directly or through nested groups."""
        with self.lock:
            names = {user["userPrincipalName"].lower(), user["id"].lower()}
            found = set()
            changed = True
            while changed:          # fixed point: nesting (and cycles) end
                changed = False
                for gid, members in self.groups.items():
                    if gid not in found and any(m.lower() in names or m.lower() in found
                                                for m in members):
                        found.add(gid)
                        changed = True
            return found

    def set_latency(self, changes):
        for key, value in changes.items():
            if key not in self.latency:
                raise ValueError("unknown latency field %r" % key)
            if value is None and key == "idle_timeout":
                pass
            elif (not isinstance(value, (int, float)) or isinstance(value, bool)
                  or not 0 <= value <= MAX_WAIT):
                raise ValueError("%s must be 0..%d seconds" % (key, MAX_WAIT))
        with self.lock:
            self.latency.update(changes)
            return dict(self.latency)

    def new_connection(self):
        with self.lock:
            self.connections += 1
            return self.connections

    # -- app registration ------------------------------------------------
    def update_app(self, changes):
        app = dict(self.app) or {"client_secret": None, "app_roles": [],
                                 "directory_role": [], "banned_passwords": [],
                                 "token_lifetime": 3599}
        for key, value in changes.items():
            if key not in APP_FIELDS:
                raise ValueError("unknown app field %r" % key)
            app[key] = value
        if isinstance(app["directory_role"], str):
            app["directory_role"] = [app["directory_role"]]
        app["directory_role"] = app["directory_role"] or []
        for key in ("app_roles", "directory_role", "banned_passwords"):
            if not isinstance(app[key], list) or not all(isinstance(x, str) for x in app[key]):
                raise ValueError("%s must be a list of strings" % key)
        if not isinstance(app["client_secret"], (str, type(None))):
            raise ValueError("client_secret must be a string or null")
        lifetime = app["token_lifetime"]
        if not isinstance(lifetime, int) or isinstance(lifetime, bool) or lifetime < 1:
            raise ValueError("token_lifetime must be a positive integer")
        with self.lock:
            self.app = app

    def has_role(self, roles):
        return bool(set(self.app["app_roles"]) & roles)

    def has_directory_role(self, roles):
        return bool(set(self.app["directory_role"]) & roles)

    def is_our_tenant(self, segment):
        return segment.lower() in (self.domain.lower(), self.tenant_id.lower())

    # -- users -------------------------------------------------------------
    def find_user(self, key):
        """Look a user up by object id or UPN (both case-insensitive); a copy."""
        key = key.lower()
        with self.lock:
            for user in self.users.values():
                if key in (user["id"].lower(), user["userPrincipalName"].lower()):
                    return json.loads(json.dumps(user))
        return None

    def merge_user(self, upn, changes):
        with self.lock:
            old = self.find_user(upn) or {}
            merged = normalise_user(upn, {**old, **changes})
            self.users.pop(upn.lower(), None)
            self.users.pop(old.get("userPrincipalName", "").lower(), None)
            self.users[merged["userPrincipalName"].lower()] = merged
            self.persist()
            return merged

    def set_password(self, user_id, password, force):
        with self.lock:
            for user in self.users.values():
                if user["id"] == user_id:
                    user["password"] = password
                    user["forceChangePasswordNextSignIn"] = force
                    user["lastPasswordChangeDateTime"] = iso_z(utcnow())
                    user["passwordChangeCount"] += 1
            self.persist()

    def add_mail(self, mail):
        with self.lock:
            self.outbox.append(mail)
            self.persist()

    def persist(self):
        if not self.state_file:
            return
        with self.lock:
            doc = {"users": {u["userPrincipalName"]: u for u in self.users.values()},
                   "outbox": self.outbox, "sms": self.sms}
            write_atomic(self.state_file, json.dumps(doc, indent=1, sort_keys=True))

    # -- tokens --------------------------------------------------------------
    def issue_token(self, audience="https://graph.microsoft.com"):
        now = int(time.time())
        lifetime = self.app["token_lifetime"]
        # JWT-looking but unsigned: clients must treat it as opaque anyway.
        head = b64url(json_bytes({"typ": "JWT", "alg": "none", "kid": "m365-emulator"}))
        claims = b64url(json_bytes({
            "aud": audience, "iss": "https://sts.windows.net/%s/" % self.tenant_id,
            "tid": self.tenant_id, "appid": self.client_id, "roles": self.app["app_roles"],
            "iat": now, "nbf": now, "exp": now + lifetime, "uti": b64url(secrets.token_bytes(12))}))
        token = "%s.%s.%s" % (head, claims, b64url(secrets.token_bytes(32)))
        with self.lock:
            # Forget long-dead tokens but keep recently expired ones so Graph
            # can say "expired" rather than "invalid".
            self.tokens = {t: e for t, e in self.tokens.items() if e[0] > now - 3600}
            self.tokens[token] = (now + lifetime, audience)
        return token, lifetime

    def token_expiry(self, token, audience="https://graph.microsoft.com"):
        """The token's expiry, or None when it is unknown or for another resource."""
        with self.lock:
            expiry, aud = self.tokens.get(token, (None, None))
            return expiry if aud == audience else None

    def revoke_tokens(self):
        with self.lock:
            self.tokens.clear()

    def use_jti(self, jti, exp):
        """Record an assertion id; False if it was seen before (replay)."""
        now = time.time()
        with self.lock:
            self.jtis = {j: e for j, e in self.jtis.items() if e > now - CLOCK_SKEW}
            if jti in self.jtis:
                return False
            self.jtis[jti] = exp
            return True

    # -- faults --------------------------------------------------------------
    def add_faults(self, faults):
        parsed = [parse_fault(f) for f in faults]
        with self.lock:
            self.faults.extend(parsed)

    def take_fault(self, method, path):
        with self.lock:
            for fault in self.faults:
                if fault["remaining"] == 0:
                    continue
                if fault["method"] not in (None, method) or not fault["regex"].search(path):
                    continue
                fault["seen"] += 1
                if fault["seen"] % fault["every"] != 0:
                    continue
                if fault["remaining"] is not None:
                    fault["remaining"] -= 1
                return dict(fault)
        return None

    def fault_list(self):
        with self.lock:
            return [{k: v for k, v in f.items() if k != "regex"} for f in self.faults]

    def hold(self, req, seconds, stopping):
        """Keep req until released or `seconds` pass; True when the emulator
        stops meanwhile.  Sets req.held to "released" or "bound"."""
        entry = {"method": req.method, "path": req.path, "since": iso_z(utcnow()),
                 "event": threading.Event()}
        with self.lock:
            # Checked under the lock release_held() takes after stopping is
            # set: a request either sees the stop here or is released by it.
            if stopping.is_set():
                return True
            self.held.append(entry)
        released = entry["event"].wait(seconds)
        with self.lock:
            if entry in self.held:
                self.held.remove(entry)
        req.held = "released" if released else "bound"
        return stopping.is_set()

    def release_held(self):
        with self.lock:
            held, self.held = self.held, []
        for entry in held:
            entry["event"].set()
        return len(held)

    def held_list(self):
        with self.lock:
            return [{k: v for k, v in e.items() if k != "event"} for e in self.held]

    # -- request log -----------------------------------------------------------
    def record(self, entry):
        with self.lock:
            self.log.append(entry)
            del self.log[:-MAX_LOG]


def parse_fault(spec):
    if not isinstance(spec, dict):
        raise ValueError("each fault must be an object")
    action = spec.get("action", "respond")
    if action not in ("respond", "hang", "drop", "apply_then_drop"):
        raise ValueError("action must be respond, hang, drop or apply_then_drop")
    times = spec.get("times", 1)
    if times is not None and (not isinstance(times, int) or isinstance(times, bool) or times < 1):
        raise ValueError("times must be a positive integer or null (unlimited)")
    every = spec.get("every", 1)
    if not isinstance(every, int) or isinstance(every, bool) or every < 1:
        raise ValueError("every must be a positive integer")
    # "respond" without a status only delays, then the request is handled normally.
    status = spec.get("status")
    if status is not None and (not isinstance(status, int) or not 200 <= status <= 599):
        raise ValueError("status must be an HTTP status 200-599")
    for key in ("delay", "retry_after", "hang"):
        value = spec.get(key)
        if value is not None and (not isinstance(value, (int, float)) or value < 0):
            raise ValueError("%s must be a non-negative number" % key)
    headers = spec.get("headers", {})
    if not isinstance(headers, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and "\n" not in k + v and "\r" not in k + v
            for k, v in headers.items()):
        raise ValueError("headers must map strings to single-line strings")
    method = spec.get("method")
    if not isinstance(spec.get("path", ""), str) or not isinstance(method, (str, type(None))):
        raise ValueError("path and method must be strings")
    hang = spec.get("hang")
    # true = until released (at most MAX_WAIT), a number = at most that long.
    hold = spec.get("hold", False)
    if hold is True:
        hold = MAX_WAIT
    elif hold is False or hold is None:
        hold = None
    elif isinstance(hold, (int, float)) and hold > 0:
        hold = min(float(hold), MAX_WAIT)
    else:
        raise ValueError("hold must be true, false or a positive number of seconds")
    return {"method": method.upper() if isinstance(method, str) else None,
            "path": spec.get("path", ""), "regex": re.compile(spec.get("path", "")),
            "remaining": times, "every": every, "seen": 0, "action": action, "status": status,
            "retry_after": spec.get("retry_after"), "body": spec.get("body"),
            "delay": min(float(spec.get("delay") or 0), MAX_WAIT),
            "hang": MAX_WAIT if hang is None else min(float(hang), MAX_WAIT), "headers": headers,
            "hold": hold}


# ---------------------------------------------------------------- password policy

def password_problem(password, user, banned):
    """Why Entra would refuse this password, or None.  The reason goes to the
    request log only; the client always gets the one complexity message."""
    if not 8 <= len(password) <= 256:
        return "length must be 8-256"
    if any(c not in PASSWORD_ALLOWED for c in password):
        return "character not allowed"
    if "DisableStrongPassword" not in (user["passwordPolicies"] or ""):
        classes = [any(c in string.ascii_lowercase for c in password),
                   any(c in string.ascii_uppercase for c in password),
                   any(c in string.digits for c in password),
                   any(c in PASSWORD_SYMBOLS for c in password)]
        if sum(classes) < 3:
            return "needs 3 of 4 character classes"
    # Very short local parts would match half of all passwords; Entra's rule
    # is about recognisable user names.
    local = user["userPrincipalName"].split("@")[0].lower()
    if len(local) >= 3 and local in password.lower():
        return "contains the user name"
    if password.lower() in {b.lower() for b in banned}:
        return "banned password"
    return None


# ---------------------------------------------------------------- request context

class Req:
    def __init__(self, handler, path, query):
        self.method = handler.command
        self.path = path
        self.raw_query = query  # as sent: the ACS signature covers it
        try:
            self.query = parse_qsl(query, keep_blank_values=True, max_num_fields=100)
            self.query_error = False
        except ValueError:       # more than 100 fields: refused after the body is read
            self.query, self.query_error = [], True
        self.headers = handler.headers
        self.host = (handler.headers.get("Host") or "").strip().lower()
        self.body = b""
        self.request_id = str(uuid.uuid4())
        crid = (handler.headers.get("client-request-id") or "").strip()
        self.client_request_id = crid if 0 < len(crid) <= 200 else None
        self.credential = None   # token endpoint: secret[-basic] / assertion-RS256|PS256
        self.form_fields = None  # token endpoint: names (never values) of form fields
        self.fault = None        # action of the injected fault, if any
        self.note = None         # short, secret-free reason for the log
        self.held = None         # a hold fault: "released", or "bound" (its time ran out)


def redacted_query(query):
    return [[k, "<redacted>" if k.lower() in SECRET_PARAMS else v] for k, v in query]


# ---------------------------------------------------------------- token endpoint

class TokenEndpoint:
    def __init__(self, state):
        self.st = state

    def handle(self, req, tenant):
        try:
            if req.method != "POST":
                raise LoginError(400, "invalid_request", 900561,
                                 "The endpoint only accepts POST, OPTIONS requests. "
                                 "Received a %s request." % req.method)
            if not self.st.is_our_tenant(tenant):
                raise LoginError(400, "invalid_request", 90002, (
                    "Tenant '%s' not found. Check to make sure you have the correct tenant ID "
                    "and are signing into the correct cloud. Check with your subscription "
                    "administrator, this may happen if there are no active subscriptions for "
                    "the tenant.") % tenant)
            form = self.parse_form(req)
            basic = self.parse_basic(req)
            self.check_grant(form)
            client_id = self.check_client(form, basic, tenant)
            audience = self.check_scope(req, form)
            self.check_credential(req, form, basic, client_id)
        except LoginError as e:
            req.note = "AADSTS%d" % e.code
            return self.error(req, e)
        token, lifetime = self.st.issue_token(audience)
        return Reply(200, {"token_type": "Bearer", "expires_in": lifetime,
                           "ext_expires_in": lifetime, "access_token": token})

    def error(self, req, e):
        trace = req.request_id
        corr = req.client_request_id or str(uuid.uuid4())
        stamp = utcnow().strftime("%Y-%m-%d %H:%M:%SZ")
        return Reply(e.status, {
            "error": e.error,
            "error_description": "AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\n"
                                 "Timestamp: %s" % (e.code, e.message, trace, corr, stamp),
            "error_codes": [e.code], "timestamp": stamp, "trace_id": trace,
            "correlation_id": corr,
            "error_uri": "https://login.microsoftonline.com/error?code=%d" % e.code})

    @staticmethod
    def missing(name):
        return LoginError(400, "invalid_request", 900144,
                          "The request body must contain the following parameter: '%s'." % name)

    @staticmethod
    def malformed():
        # (emulator choice) generic "malformed request" code.
        return LoginError(400, "invalid_request", 9002313,
                          "Invalid request. Request is malformed or invalid.")

    def parse_form(self, req):
        # A body that is not form-encoded cannot be read at all, so (like the
        # real service) the first required parameter is reported missing.
        if media_type(req.headers) != "application/x-www-form-urlencoded":
            req.note = "wrong content-type"
            raise self.missing("grant_type")
        try:
            pairs = parse_qsl(req.body.decode("utf-8"), keep_blank_values=True,
                              max_num_fields=100)
        except (UnicodeDecodeError, ValueError):
            raise self.malformed()
        form = {}
        for key, value in pairs:
            if key in form:
                raise LoginError(400, "invalid_request", 9000411,
                                 "The request is not properly formatted. The parameter '%s' "
                                 "is duplicated." % key)
            form[key] = value
        req.form_fields = sorted(form)
        return form

    def parse_basic(self, req):
        """RFC 6749 2.3.1: Basic base64(urlenc(id):urlenc(secret)); None if absent."""
        auth = req.headers.get("Authorization")
        if not auth:
            return None
        scheme, _, value = auth.partition(" ")
        if scheme.lower() != "basic":
            raise self.malformed()
        try:
            ident, sep, secret = base64.b64decode(value.strip(), validate=True).decode(
                "utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise self.malformed()
        if not sep:
            raise self.malformed()
        return unquote(ident.replace("+", " ")), unquote(secret.replace("+", " "))

    def check_grant(self, form):
        grant = form.get("grant_type")
        if not grant:
            raise self.missing("grant_type")
        if grant != "client_credentials":
            raise LoginError(400, "unsupported_grant_type", 70003,
                             "The app requested an unsupported grant type '%s'." % grant)

    def check_client(self, form, basic, tenant):
        client_id = form.get("client_id") or (basic[0] if basic else None)
        if not client_id:
            raise self.missing("client_id")
        if basic and basic[0] != client_id:
            raise self.malformed()
        if client_id.lower() != self.st.client_id.lower():
            raise LoginError(400, "unauthorized_client", 700016, (
                "Application with identifier '%s' was not found in the directory '%s'. This "
                "can happen if the application has not been installed by the administrator of "
                "the tenant or consented to by any user in the tenant. You may have sent your "
                "authentication request to the wrong tenant.") % (client_id, tenant))
        return client_id

    def check_scope(self, req, form):
        scope = form.get("scope")
        if not scope:
            raise self.missing("scope")
        # Real Graph's resource, or the emulator itself (the module derives the
        # scope from its configured graph base URL).
        accepted = {MS_GRAPH_SCOPE, "https://%s/.default" % req.host}
        # localhost and 127.0.0.1 are the same emulator: tests name the login
        # service with one and Graph with the other, two hosts as in real life.
        host, sep, port = req.host.rpartition(":")
        if sep and host in ("localhost", "127.0.0.1"):
            accepted |= {"https://%s:%s/.default" % (h, port) for h in ("localhost", "127.0.0.1")}
        if scope.strip().lower() == ACS_SCOPE:
            return "https://communication.azure.com"
        for item in scope.split():
            if not item.endswith("/.default"):
                raise LoginError(400, "invalid_scope", 1002012, (
                    "The provided value for scope %s is not valid. Client credential flows "
                    "must have a scope value with /.default suffixed to the resource "
                    "identifier (application ID URI).") % item)
            if item.lower() not in accepted:
                raise LoginError(400, "invalid_scope", 70011, (
                    "The provided value for the input parameter 'scope' is not valid. The scope "
                    "%s is not valid.") % item)
        return "https://graph.microsoft.com"

    def check_credential(self, req, form, basic, client_id):
        secret = form.get("client_secret") or (basic[1] if basic else None)
        assertion = form.get("client_assertion")
        if secret and assertion:
            raise self.malformed()
        if not secret and not assertion:
            raise LoginError(401, "invalid_client", 7000218,
                             "The request body must contain the following parameter: "
                             "'client_assertion' or 'client_secret'.")
        if secret:
            req.credential = "secret-basic" if basic and not form.get("client_secret") else "secret"
            expected = self.st.app["client_secret"]
            if expected is None or not hmac.compare_digest(secret.encode(), expected.encode()):
                raise LoginError(401, "invalid_client", 7000215, (
                    "Invalid client secret provided. Ensure the secret being sent in the request "
                    "is the client secret value, not the client secret ID, for a secret added "
                    "to app '%s'.") % client_id)
            return
        assertion_type = form.get("client_assertion_type")
        if not assertion_type:
            raise self.missing("client_assertion_type")
        if assertion_type != JWT_BEARER:
            raise self.malformed()
        req.credential = "assertion"
        Assertion(self.st, req, client_id).verify(assertion)


class Assertion:
    """Checks a client assertion JWT the way certificate-credentials.md says."""

    def __init__(self, state, req, client_id):
        self.st, self.req, self.client_id = state, req, client_id

    @staticmethod
    def bad_jwt(reason):
        # (emulator choice) AADSTS50027 "invalid or malformed" for structural problems.
        return LoginError(400, "invalid_client", 50027,
                          "JWT token is invalid or malformed. [Reason - %s]" % reason)

    def verify(self, jwt):
        parts = jwt.split(".")
        if len(parts) != 3:
            raise self.bad_jwt("The token must have three parts.")
        try:
            header = json.loads(b64url_decode(parts[0]))
            claims = json.loads(b64url_decode(parts[1]))
            signature = b64url_decode(parts[2])
        except (ValueError, UnicodeDecodeError, RecursionError, binascii.Error):
            raise self.bad_jwt("The token could not be decoded.")
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise self.bad_jwt("The token header and payload must be JSON objects.")
        alg = header.get("alg")
        if alg not in ("RS256", "PS256"):
            raise LoginError(400, "invalid_client", 5002738,
                             "Invalid JWT token. '%s' is not a supported signature algorithm. "
                             "Supported signing algorithms are: 'RS256,PS256'" % alg)
        self.req.credential = "assertion-" + alg
        self.check_signature(header, alg, (parts[0] + "." + parts[1]).encode("ascii"), signature)
        self.check_claims(claims)

    def find_key(self, header):
        # x5t#S256 is the current documented header, x5t (SHA-1) the classic one.
        for name in ("x5t#S256", "x5t"):
            thumb = header.get(name)
            if isinstance(thumb, str):
                for cert in self.st.certs:
                    if hmac.compare_digest(cert[name], thumb):
                        return cert["key"], thumb
                return None, thumb
        return None, ""

    def check_signature(self, header, alg, signed, signature):
        key, thumb = self.find_key(header)
        where = ("Thumbprint of key used by client: '%s', Please visit the Azure Portal, Graph "
                 "Explorer or directly use MS Graph to see configured keys for app Id '%s'. "
                 "Review the documentation at %s .") % (thumb, self.client_id, CERT_DOC)
        if key is None:
            raise LoginError(400, "invalid_client", 700027,
                             "Client assertion contains an invalid signature. "
                             "[Reason - The key was not found., %s]" % where)
        # JWA (RFC 7518) fixes the PSS salt length to the hash length (32);
        # OpenSSL's default "max" salt would be refused by the real service too.
        pad = padding.PKCS1v15() if alg == "RS256" else padding.PSS(
            mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
        try:
            key.verify(signature, signed, pad, hashes.SHA256())
        except InvalidSignature:
            raise LoginError(400, "invalid_client", 700027,
                             "Client assertion contains an invalid signature. [Reason - The "
                             "provided signature value did not match the expected signature "
                             "value., %s]" % where)

    def check_claims(self, claims):
        host = self.req.host
        audiences = {"https://%s/%s/oauth2/v2.0/token" % (host, t.lower())
                     for t in (self.st.domain, self.st.tenant_id)}
        aud = claims.get("aud")
        if not isinstance(aud, str) or aud.lower() not in audiences:
            raise LoginError(400, "invalid_client", 700023,
                             "Client assertion audience claim does not match Realm issuer. "
                             "Review the documentation at %s ." % CERT_DOC)
        if claims.get("iss") != self.client_id:
            raise LoginError(400, "invalid_client", 700021,
                             "Client assertion application identifier doesn't match "
                             "'client_id' parameter. Review the documentation at %s ." % CERT_DOC)
        if claims.get("sub") != claims.get("iss"):
            raise LoginError(400, "invalid_client", 50048,
                             "Subject mismatches Issuer claim in the client assertion. "
                             "Review the documentation at %s ." % CERT_DOC)
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti:
            raise self.bad_jwt("The 'jti' claim is missing.")
        nbf, exp = claims.get("nbf"), claims.get("exp")
        for value, name in ((nbf, "nbf"), (exp, "exp")):
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise self.bad_jwt("The '%s' claim is missing or not a number." % name)
        now = time.time()
        if nbf > now + CLOCK_SKEW or exp <= now or exp - nbf > MAX_ASSERTION_LIFETIME:
            raise LoginError(400, "invalid_client", 700024, (
                "Client assertion is not within its valid time range. Current time: %s, "
                "assertion valid from %s, expiry time of assertion %s. Review the "
                "documentation at %s .") % (epoch_iso(now), epoch_iso(nbf), epoch_iso(exp),
                                            CERT_DOC))
        # Last, so a refused assertion does not burn its jti.  (emulator choice of code)
        if not self.st.use_jti(jti, exp):
            raise self.bad_jwt("The assertion 'jti' has already been used.")


# ---------------------------------------------------------------- Graph

class Graph:
    # (segment pattern, {method: handler name}); None matches one path segment.
    ROUTES = [
        (("users", None), {"GET": "get_user", "PATCH": "patch_user"}),
        (("users", None, "authentication", "emailmethods"), {"GET": "email_methods"}),
        (("users", None, "authentication", "softwareoathmethods"), {"GET": "oath_methods"}),
        (("users", None, "authentication", "phonemethods"), {"GET": "phone_methods"}),
        (("users", None, "sendmail"), {"POST": "send_mail"}),
        (("users", None, "checkmembergroups"), {"POST": "check_member_groups"}),
        (("$batch",), {"POST": "batch"}),
    ]

    def __init__(self, state):
        self.st = state

    def handle(self, req):
        try:
            segments = [unquote(s) for s in req.path.split("/")[1:]] or [""]
            if segments[0] != "v1.0":
                raise GraphError(400, "BadRequest", "Invalid version: %s" % segments[0])
            self.check_bearer(req)
            name, args = self.route(req.method, segments[1:])
            return getattr(self, name)(req, *args)
        except GraphError as e:
            return self.error(req, e.status, e.code, e.message, e.headers)

    def error(self, req, status, code, message, headers=None):
        inner = {"date": utcnow().strftime("%Y-%m-%dT%H:%M:%S"), "request-id": req.request_id,
                 "client-request-id": req.client_request_id or req.request_id}
        req.note = req.note or code
        return Reply(status, {"error": {"code": code, "message": message, "innerError": inner}},
                     headers)

    def route(self, method, segments):
        for pattern, methods in self.ROUTES:
            if len(pattern) != len(segments):
                continue
            if all(p is None or p == s.lower() for p, s in zip(pattern, segments)):
                args = [s for p, s in zip(pattern, segments) if p is None]
                if not all(args):
                    break
                if method not in methods:
                    raise GraphError(405, "Request_BadRequest",
                                     "Specified HTTP method is not allowed for the request target.")
                return methods[method], args
        last = next((s for s in reversed(segments) if s), "v1.0")
        raise GraphError(400, "BadRequest", "Resource not found for the segment '%s'." % last)

    def check_bearer(self, req):
        scheme, _, token = (req.headers.get("Authorization") or "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            message = "Access token is empty."
        else:
            expiry = self.st.token_expiry(token)
            if expiry is not None and expiry > time.time():
                return
            message = ("Lifetime validation failed, the token is expired." if expiry
                       else "Access token validation failure.")
        raise GraphError(401, "InvalidAuthenticationToken", message,
                         {"WWW-Authenticate": GRAPH_WWW_AUTH})

    # -- shared checks ---------------------------------------------------------
    def require_role(self, roles, code="Authorization_RequestDenied",
                     message="Insufficient privileges to complete the operation."):
        if not self.st.has_role(roles):
            raise GraphError(403, code, message)

    def user_or_404(self, key):
        user = self.st.find_user(key)
        if user is None:
            raise GraphError(404, "Request_ResourceNotFound",
                             "Resource '%s' does not exist or one of its queried "
                             "reference-property objects are not present." % key)
        return user

    @staticmethod
    def read_json(req, error=None):
        error = error or GraphError(400, "BadRequest",
                                    "Unable to read JSON request payload. Please ensure "
                                    "Content-Type header is set and payload is of valid JSON "
                                    "format.")
        if media_type(req.headers) != "application/json":
            raise error
        try:
            body = json.loads(req.body.decode("utf-8-sig"))
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise error
        if not isinstance(body, dict):
            raise error
        return body

    # -- GET /users/{id} ----------------------------------------------------------
    @staticmethod
    def parse_select(req):
        values = [v for k, v in req.query if k == "$select"]
        if len(values) > 1:
            raise GraphError(400, "BadRequest", "Query option '$select' was specified more "
                             "than once, but it must be specified at most once.")
        if not values or not values[0].strip():
            return None
        canonical = {p.lower(): p for p in USER_PROPERTIES}
        selected = []
        for name in (n.strip() for n in values[0].split(",")):
            if name.lower() not in canonical:
                raise GraphError(400, "BadRequest", "Could not find a property named '%s' on "
                                 "type 'microsoft.graph.user'." % name)
            selected.append(canonical[name.lower()])
        return selected

    @staticmethod
    def user_view(user):
        view = {p: None for p in USER_PROPERTIES}
        view.update({k: user[k] for k in ("id", "userPrincipalName", "displayName", "mail",
                                           "accountEnabled", "lastPasswordChangeDateTime",
                                           "passwordPolicies")})
        # Real Graph reports null, not false, for cloud-only users.
        view["onPremisesSyncEnabled"] = True if user["onPremisesSyncEnabled"] else None
        view["businessPhones"] = []
        return view

    def get_user(self, req, key):
        select = self.parse_select(req)
        user = self.user_or_404(key)
        view = self.user_view(user)
        context = "https://%s/v1.0/$metadata#users%s/$entity" % (
            req.host, "(%s)" % ",".join(select) if select else "")
        body = {"@odata.context": context}
        body.update({name: view[name] for name in (select or DEFAULT_USER_SELECT)})
        return Reply(200, body)

    # -- PATCH /users/{id} ----------------------------------------------------------
    def patch_user(self, req, key):
        body = self.read_json(req)
        self.require_role(PASSWORD_WRITE_ROLES)
        user = self.user_or_404(key)
        for name in body:
            if name != "passwordProfile":
                # (emulator) only passwordProfile updates are modelled.
                raise GraphError(400, "Request_BadRequest", "Property '%s' does not exist on "
                                 "type 'microsoft.graph.user' or is not supported by the "
                                 "emulator." % name)
        profile = body.get("passwordProfile")
        if profile is None:
            return Reply(204)
        self.check_profile(profile)
        needed = RESET_ADMIN_DIR_ROLES if user["isAdmin"] else RESET_USER_DIR_ROLES
        if not self.st.has_directory_role(needed):
            raise GraphError(403, "Authorization_RequestDenied",
                             "Insufficient privileges to complete the operation.")
        if user["onPremisesSyncEnabled"]:
            raise GraphError(400, "Request_BadRequest",
                             "Unable to update the specified properties for on-premises "
                             "mastered Directory Sync objects or objects currently undergoing "
                             "migration.")
        if profile.get("password") is None:
            req.note = "no password: 204, nothing changed"   # documented quirk
            return Reply(204)
        problem = password_problem(profile["password"], user, self.st.app["banned_passwords"])
        if problem:
            req.note = "password policy: " + problem
            raise GraphError(400, "Request_BadRequest",
                             "The specified password does not comply with password complexity "
                             "requirements. Please provide a different password.")
        self.st.set_password(user["id"], profile["password"],
                             bool(profile.get("forceChangePasswordNextSignIn", False)))
        return Reply(204)

    @staticmethod
    def check_profile(profile):
        if not isinstance(profile, dict):
            raise GraphError(400, "BadRequest", "Invalid value for property 'passwordProfile'.")
        for name, value in profile.items():
            if name not in PASSWORD_PROFILE_KEYS:
                raise GraphError(400, "BadRequest", "Property '%s' does not exist on type "
                                 "'microsoft.graph.passwordProfile'. Make sure to only use "
                                 "property names that are defined by the type." % name)
            ok = (isinstance(value, (str, type(None))) if name == "password"
                  else isinstance(value, bool))
            if not ok:
                raise GraphError(400, "BadRequest", "Invalid value for property '%s'." % name)

    # -- JSON batching: POST /v1.0/$batch ---------------------------------------------
    # At most 20 requests, GET only (all pam_sspr batches), each routed as if sent
    # alone; the answers in the order asked, as Graph may also give them.
    def batch(self, req):
        body = self.read_json(req)
        reqs = body.get("requests")
        if not isinstance(reqs, list) or not 0 < len(reqs) <= 20:
            raise GraphError(400, "BadRequest", "Invalid batch payload format.")
        ids = [r.get("id") if isinstance(r, dict) else None for r in reqs]
        if not all(isinstance(i, str) and i for i in ids) or len(set(ids)) != len(ids):
            raise GraphError(400, "BadRequest", "Batch request ids must be unique strings.")
        out = []
        for r, rid in zip(reqs, ids):
            url, method = r.get("url"), r.get("method")
            if not isinstance(url, str) or not url.startswith("/") or method != "GET":
                raise GraphError(400, "BadRequest", "Invalid batch request %s." % rid)
            sub = copy.copy(req)
            path, _, query = url.partition("?")
            sub.method, sub.path, sub.body = method, "/v1.0" + path, b""
            sub.query = parse_qsl(query, keep_blank_values=True, max_num_fields=100)
            try:
                name, args = self.route(method, [unquote(x) for x in path.split("/")[1:]])
                reply = getattr(self, name)(sub, *args)
            except GraphError as e:
                reply = self.error(sub, e.status, e.code, e.message, e.headers)
            out.append({"id": rid, "status": reply.status, "body": reply.body})
        return Reply(200, {"responses": out})

    # -- authentication methods ------------------------------------------------------
    def email_methods(self, req, key):
        self.require_role(AUTH_METHOD_READ_ROLES)
        user = self.user_or_404(key)
        value = [{"id": EMAIL_METHOD_ID, "emailAddress": a} for a in user["emailMethods"][:1]]
        return Reply(200, {"@odata.context": "https://%s/v1.0/$metadata#users('%s')/"
                           "authentication/emailMethods" % (req.host, key), "value": value})

    def oath_methods(self, req, key):
        self.require_role(AUTH_METHOD_READ_ROLES)
        user = self.user_or_404(key)
        # Graph never reveals the TOTP secret: secretKey is always null on read.
        value = [{"@odata.type": "#microsoft.graph.softwareOathAuthenticationMethod",
                  "id": str(uuid.uuid5(uuid.UUID(int=0), "%s/%d" % (user["id"], i))),
                  "secretKey": None} for i in range(max(0, user["softwareOathMethods"]))]
        return Reply(200, {"@odata.context": "https://%s/v1.0/$metadata#users('%s')/"
                           "authentication/softwareOathMethods" % (req.host, key),
                           "value": value})

    def phone_methods(self, req, key):
        self.require_role(AUTH_METHOD_READ_ROLES)
        user = self.user_or_404(key)
        value = [{"id": PHONE_METHOD_IDS[m["phoneType"]], "phoneNumber": m["phoneNumber"],
                  "phoneType": m["phoneType"], "smsSignInState": "notAllowedByPolicy"}
                 for m in user["phoneMethods"]]
        return Reply(200, {"@odata.context": "https://%s/v1.0/$metadata#users('%s')/"
                           "authentication/phoneMethods" % (req.host, key), "value": value})

    # -- POST /users/{id}/checkMemberGroups --------------------------------------------
    def check_member_groups(self, req, key):
        body = self.read_json(req)
        if not (self.st.has_role(MEMBER_GROUPS_ALONE)
                or MEMBER_GROUPS_PAIR <= set(self.st.app["app_roles"])):
            raise GraphError(403, "Authorization_RequestDenied",
                             "Insufficient privileges to complete the operation.")
        ids = body.get("groupIds")
        # (emulator choice) code and messages of the 400s; the documented rule is
        # that a malformed id or more than 20 fail the whole request.
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise GraphError(400, "Request_BadRequest",
                             "Invalid value specified for property 'groupIds' of resource "
                             "'User'.")
        if len(ids) > MEMBER_GROUPS_MAX:
            raise GraphError(400, "Request_BadRequest",
                             "The number of group ids exceeds the limit of %d."
                             % MEMBER_GROUPS_MAX)
        for i in ids:
            if not GUID_RE.match(i):
                raise GraphError(400, "Request_BadRequest", "Invalid GUID:%s" % i)
        user = self.user_or_404(key)
        mine = self.st.groups_of(user)
        req.note = "%d of %d" % (sum(1 for i in ids if i.lower() in mine), len(ids))
        return Reply(200, {"@odata.context": "https://%s/v1.0/$metadata#Collection(Edm.String)"
                           % req.host,
                           "value": [i for i in ids if i.lower() in mine]})

    # -- POST /users/{id}/sendMail -----------------------------------------------------
    def send_mail(self, req, key):
        self.require_role(MAIL_SEND_ROLES, "ErrorAccessDenied",
                          "Access is denied. Check credentials and try again.")
        user = self.st.find_user(key)
        if user is None:
            raise GraphError(404, "ErrorInvalidUser", "The requested user '%s' is invalid." % key)
        if not user["mailbox"]:
            raise GraphError(404, "MailboxNotEnabledForRESTAPI", "The mailbox is either "
                             "inactive, soft-deleted, or is hosted on-premise.")
        if media_type(req.headers) == "text/plain":
            mail = self.mime_mail(req)
        else:
            mail = self.json_mail(req)
        mail.update({"from": user["userPrincipalName"], "time": iso_z(utcnow())})
        self.st.add_mail(mail)
        return Reply(202)

    def json_mail(self, req):
        body = self.read_json(req, GraphError(400, "UnableToDeserializePostBody",
                                              "were unable to deserialize "))
        message = body.get("message")
        if not isinstance(message, dict):
            # (emulator choice) code for a missing/invalid message parameter.
            raise GraphError(400, "ErrorInvalidRequest", "The 'message' parameter is required.")
        save = body.get("saveToSentItems", True)
        if save not in (True, False, "true", "false", "True", "False"):
            raise GraphError(400, "BadRequest", "Cannot convert the literal '%s' to the "
                             "expected type 'Edm.Boolean'." % save)
        recipients = {kind: self.recipients(message.get(kind))
                      for kind in ("toRecipients", "ccRecipients", "bccRecipients")}
        if not any(recipients.values()):
            raise GraphError(400, "ErrorInvalidRecipients", "At least one recipient is not "
                             "valid., A message can't be sent because it contains no "
                             "recipients.")
        content = message.get("body") or {}
        if not isinstance(content, dict) or not isinstance(content.get("content", ""), str):
            raise GraphError(400, "BadRequest", "Invalid value for property 'body'.")
        ctype = content.get("contentType", "Text")
        if not isinstance(ctype, str) or ctype.lower() not in ("text", "html"):
            raise GraphError(400, "BadRequest", "Requested value '%s' was not found." % ctype)
        subject = message.get("subject", "")
        if not isinstance(subject, str):
            raise GraphError(400, "BadRequest", "Invalid value for property 'subject'.")
        return {"to": recipients["toRecipients"], "cc": recipients["ccRecipients"],
                "bcc": recipients["bccRecipients"], "subject": subject,
                "contentType": "HTML" if ctype.lower() == "html" else "Text",
                "body": content.get("content", ""),
                "saveToSentItems": save in (True, "true", "True")}

    @staticmethod
    def recipients(value):
        if value is None:
            return []
        out = []
        for item in value if isinstance(value, list) else [value]:
            address = item.get("emailAddress", {}) if isinstance(item, dict) else None
            address = address.get("address") if isinstance(address, dict) else None
            if not isinstance(address, str) or not re.fullmatch(r"[^@\s]+@[^@\s]+", address):
                raise GraphError(400, "ErrorInvalidRecipients", "At least one recipient isn't "
                                 "valid., Recipient '%s' isn't resolved. All recipients must be "
                                 "resolved before a message can be submitted." % (address,))
            out.append(address)
        return out

    @staticmethod
    def mime_mail(req):
        try:
            raw = base64.b64decode(req.body.strip(), validate=True)
        except binascii.Error:
            raise GraphError(400, "ErrorMimeContentInvalidBase64String",
                             "Invalid base64 string for MIME content.")
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        return {"to": [str(a) for a in msg.get_all("To", [])], "subject": str(msg["Subject"] or ""),
                "contentType": "MIME", "body": raw.decode("utf-8", "replace"),
                "saveToSentItems": True}


# ---------------------------------------------------------------- control API

class Control:
    """/_emulator/...: test-only view and steering of the emulator."""

    def __init__(self, state):
        self.st = state

    def handle(self, req):
        try:
            return self.dispatch(req)
        except ControlError as e:
            return Reply(e.status, {"error": e.message})
        except ValueError as e:
            return Reply(400, {"error": str(e)})

    def body(self, req):
        try:
            return json.loads(req.body.decode("utf-8") or "null")
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise ControlError(400, "body is not valid JSON")

    def dispatch(self, req):
        parts = [unquote(p) for p in req.path.split("/")[2:]]
        what, rest, method = parts[0], parts[1:], req.method
        if what == "log" and not rest:
            if method == "DELETE":
                with self.st.lock:
                    self.st.log.clear()
                return Reply(204)
            with self.st.lock:
                return Reply(200, list(self.st.log))
        if what == "faults" and not rest:
            return self.faults(req)
        if what == "held" and not rest:
            return Reply(200, self.st.held_list())
        if what == "release" and not rest and method == "POST":
            return Reply(200, {"released": self.st.release_held()})
        if what == "users":
            return self.users(req, rest)
        if what == "sms" and not rest:
            with self.st.lock:
                if method == "DELETE":
                    self.st.sms.clear()
                    self.st.persist()
                    return Reply(204)
                return Reply(200, list(self.st.sms))
        if what == "outbox" and not rest:
            with self.st.lock:
                if method == "DELETE":
                    self.st.outbox.clear()
                    self.st.persist()
                    return Reply(204)
                return Reply(200, list(self.st.outbox))
        if what == "revoke-tokens" and not rest and method == "POST":
            self.st.revoke_tokens()
            return Reply(204)
        if what == "latency" and not rest:
            if method == "PUT":
                changes = self.body(req)
                if not isinstance(changes, dict):
                    raise ControlError(400, "body must be a JSON object")
                return Reply(200, self.st.set_latency(changes))
            with self.st.lock:
                return Reply(200, dict(self.st.latency))
        if what == "groups" and not rest:
            if method == "PUT":
                try:
                    self.st.set_groups(self.body(req))
                except ValueError as e:
                    raise ControlError(400, str(e))
            with self.st.lock:
                return Reply(200, dict(self.st.groups))
        if what == "app" and not rest:
            if method == "PUT":
                changes = self.body(req)
                if not isinstance(changes, dict):
                    raise ControlError(400, "body must be a JSON object")
                self.st.update_app(changes)
            return Reply(200, self.st.app)
        raise ControlError(404, "no such control endpoint")

    def faults(self, req):
        if req.method == "DELETE":
            with self.st.lock:
                self.st.faults.clear()
            return Reply(204)
        if req.method == "POST":
            body = self.body(req)
            faults = body.get("faults") if isinstance(body, dict) else None
            if not isinstance(faults, list):
                raise ControlError(400, 'body must be {"faults": [...]}')
            try:
                self.st.add_faults(faults)
            except re.error as e:
                raise ControlError(400, "bad path regex: %s" % e)
        return Reply(200, self.st.fault_list())

    def users(self, req, rest):
        if not rest:
            with self.st.lock:
                return Reply(200, list(self.st.users.values()))
        if len(rest) != 1 or not rest[0]:
            raise ControlError(404, "use /_emulator/users/{upn}")
        if req.method == "PUT":
            changes = self.body(req)
            if not isinstance(changes, dict):
                raise ControlError(400, "body must be a JSON object")
            return Reply(200, self.st.merge_user(rest[0], changes))
        user = self.st.find_user(rest[0])
        if user is None:
            raise ControlError(404, "no such user")
        return Reply(200, user)


# ---------------------------------------------------------------- SMS

class AcsError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class Sms:
    """Azure Communication Services' SMS send call (api-version 2021-03-07),
    authenticated with the resource's access key (HMAC-SHA256, as Microsoft's
    "Sign an HTTP request with HMAC" describes) or an Entra token for
    https://communication.azure.com; and a customer's own gateway
    (POST /_webhook/sms with a bearer secret). Messages land in state.sms."""

    def __init__(self, state):
        self.st = state

    def handle(self, req):
        try:
            if req.path == "/_webhook/sms":
                return self.webhook(req)
            if req.method != "POST":
                raise AcsError(405, "MethodNotAllowed", "Only POST is supported.")
            if dict(req.query).get("api-version") != ACS_SMS_API_VERSION:
                raise AcsError(400, "InvalidApiVersion", "The api-version is not supported.")
            req.credential = self.authenticate(req)
            return self.send(req)
        except AcsError as e:
            req.note = e.code
            return self.error(e.status, e.code, e.message)

    @staticmethod
    def error(status, code, message):
        # Error codes and messages of this area are emulator choices.
        return Reply(status, {"error": {"code": code, "message": message}})

    def authenticate(self, req):
        scheme, _, rest = (req.headers.get("Authorization") or "").partition(" ")
        if scheme == "Bearer":
            expiry = self.st.token_expiry(rest.strip(), "https://communication.azure.com")
            if expiry is None or expiry <= time.time():
                raise AcsError(401, "Unauthorized", "The access token is invalid or expired.")
            return "bearer"
        if scheme != "HMAC-SHA256" or self.st.acs_key is None:
            raise AcsError(401, "Unauthorized", "Authorization is missing or not supported.")
        fields = dict(part.partition("=")[::2] for part in rest.split("&"))
        if fields.get("SignedHeaders") != "x-ms-date;host;x-ms-content-sha256":
            raise AcsError(401, "Unauthorized", "SignedHeaders must be "
                           "x-ms-date;host;x-ms-content-sha256.")
        date = req.headers.get("x-ms-date") or ""
        try:
            when = email.utils.parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError):
            raise AcsError(401, "Unauthorized", "x-ms-date is missing or not an HTTP date.")
        if abs(when - time.time()) > ACS_DATE_SKEW:
            raise AcsError(401, "Unauthorized", "x-ms-date is too far from the current time.")
        content = base64.b64encode(hashlib.sha256(req.body).digest()).decode()
        if req.headers.get("x-ms-content-sha256") != content:
            raise AcsError(401, "Unauthorized", "x-ms-content-sha256 does not match the body.")
        path = req.path + ("?" + req.raw_query if req.raw_query else "")
        signed = "%s\n%s\n%s;%s;%s" % (req.method, path, date, req.headers.get("Host"), content)
        mac = hmac.new(base64.b64decode(self.st.acs_key), signed.encode(), hashlib.sha256)
        if not hmac.compare_digest(fields.get("Signature", ""),
                                   base64.b64encode(mac.digest()).decode()):
            raise AcsError(401, "Unauthorized", "The signature does not match.")
        return "hmac"

    def body(self, req, keys):
        try:
            doc = json.loads(req.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise AcsError(400, "BadRequest", "The request body is not valid JSON.")
        if not isinstance(doc, dict) or not keys <= set(doc):
            raise AcsError(400, "BadRequest", "Missing %s." % ", ".join(sorted(keys)))
        return doc

    def send(self, req):
        doc = self.body(req, {"from", "smsRecipients", "message"})
        if doc["from"] not in self.st.acs_senders:
            raise AcsError(400, "InvalidSender", "The sender is not a number of this resource.")
        recipients = doc["smsRecipients"]
        if (not isinstance(recipients, list) or len(recipients) != 1
                or not isinstance(recipients[0], dict)
                or not re.fullmatch(r"\+[1-9][0-9]{7,14}", str(recipients[0].get("to")))):
            raise AcsError(400, "BadRequest", "smsRecipients must be E.164 numbers.")
        if not isinstance(doc["message"], str) or not doc["message"]:
            raise AcsError(400, "BadRequest", "message must be a non-empty string.")
        to = recipients[0]["to"]
        message_id = "Outgoing_%s_noam" % uuid.uuid4().hex
        self.record(req, "acs", doc["from"], to, doc["message"])
        return Reply(202, {"value": [{"to": to, "messageId": message_id,
                                      "httpStatusCode": 202, "successful": True,
                                      "errorMessage": None}]})

    def webhook(self, req):
        expected = self.st.webhook_secret
        scheme, _, token = (req.headers.get("Authorization") or "").partition(" ")
        if (req.method != "POST" or expected is None or scheme != "Bearer"
                or not hmac.compare_digest(token.strip().encode(), expected.encode())):
            raise AcsError(401, "Unauthorized", "Bearer secret missing or wrong.")
        doc = self.body(req, {"to", "message"})
        self.record(req, "webhook", None, doc["to"], doc["message"])
        return Reply(202, {"accepted": True})

    def record(self, req, via, sender, to, message):
        with self.st.lock:
            self.st.sms.append({"time": iso_z(utcnow()), "via": via,
                                "auth": req.credential, "from": sender, "to": to,
                                "message": message})
            self.st.persist()


# ---------------------------------------------------------------- HTTP plumbing

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"   # keep-alive, as libcurl expects
    server_version = "m365-emulator"
    sys_version = ""
    timeout = 60                    # idle keep-alive connections are closed

    def version_string(self):
        return self.server_version

    def log_request(self, code="-", size="-"):
        pass                        # one line per request is written by finish_exchange

    def log_message(self, fmt, *args):
        log_line("%s %s" % (self.client_address[0], fmt % args))

    def setup(self):
        super().setup()
        self.conn_id = getattr(self.request, "conn_id", None)
        self.on_connection = 0      # requests read on this connection so far

    def handle_one_request(self):
        # Waiting for the next request on a kept-alive connection is idle time.
        idle = self.server.state.latency["idle_timeout"]
        self.connection.settimeout(idle if idle is not None and self.on_connection > 0
                                   else self.timeout)
        super().handle_one_request()

    def do_GET(self):
        self.connection.settimeout(self.timeout)
        self.on_connection += 1
        self.exchange()

    do_POST = do_PATCH = do_PUT = do_DELETE = do_GET

    def exchange(self):
        server = self.server
        path, _, query = self.path.partition("?")
        req = Req(self, path.split("#")[0], query.split("#")[0])
        area = self.area(req.path)
        problem = self.read_body(req)
        if problem:
            self.close_connection = True
            return self.finish_exchange(req, area, self.area_error(req, area, *problem))
        if req.query_error:
            return self.finish_exchange(req, area, self.area_error(
                req, area, 400, "BadRequest", "Too many query parameters."))
        if area == "control":
            if self.client_address[0] not in ("127.0.0.1", "::1"):
                return self.finish_exchange(req, area, Reply(403, {"error": "loopback only"}))
            return self.finish_exchange(req, area, server.control.handle(req))
        delay = server.state.latency["request"]
        if delay and server.stopping.wait(delay):
            return
        fault = server.state.take_fault(req.method, req.path)
        if fault:
            req.fault = fault["action"]
            if fault["hold"] and server.state.hold(req, fault["hold"], server.stopping):
                return
            if fault["delay"] and server.stopping.wait(fault["delay"]):
                return
            if fault["action"] == "drop":
                return self.drop(req)
            if fault["action"] == "hang":
                server.stopping.wait(fault["hang"])
                return self.drop(req)
            if fault["status"] is not None:
                return self.finish_exchange(req, area, self.fault_reply(req, area, fault))
            if fault["action"] == "apply_then_drop":
                # Carried out, but the answer is lost on the way back.
                self.dispatch(req, area)
                return self.drop(req)
        try:
            reply = self.dispatch(req, area)
        except Exception:           # a bug must cost one request, not the server
            traceback.print_exc(file=sys.stderr)
            self.close_connection = True
            reply = self.area_error(req, area, 500, "generalException",
                                    "An internal emulator error occurred.")
        self.finish_exchange(req, area, reply)

    @staticmethod
    def area(path):
        if path.startswith("/_emulator/"):
            return "control"
        if path in (ACS_SMS_PATH, "/_webhook/sms"):
            return "sms"
        return "login" if TOKEN_PATH.match(path) else "graph"

    def dispatch(self, req, area):
        if area == "login":
            return self.server.token.handle(req, TOKEN_PATH.match(req.path).group(1))
        if area == "control":
            return self.server.control.handle(req)
        if area == "sms":
            return self.server.sms.handle(req)
        return self.server.graph.handle(req)

    def read_body(self, req):
        """Read the body within limits; (status, code, message) if refused."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return 411, "BadRequest", "Chunked request bodies are not supported."
        length = self.headers.get("Content-Length")
        if length is None:
            return None
        if not length.strip().isdigit():
            return 400, "BadRequest", "Invalid Content-Length."
        length = int(length)
        if length > MAX_BODY:
            # Discard (not store) what the client sends, so the 413 is not lost to a
            # TCP reset on close; give up on absurd sizes.
            left = length if length <= 64 * MAX_BODY else 0
            while left > 0:
                chunk = self.rfile.read(min(left, 65536))
                if not chunk:
                    break
                left -= len(chunk)
            return 413, "RequestEntityTooLarge", "The request body exceeds 1 MiB."
        req.body = self.rfile.read(length)
        if len(req.body) != length:
            return 400, "BadRequest", "The request body was truncated."
        return None

    # -- replies -----------------------------------------------------------------
    def graph_error(self, req, status, code, message):
        return self.server.graph.error(req, status, code, message)

    def area_error(self, req, area, status, code, message):
        if area == "login":
            error = "server_error" if status >= 500 else "invalid_request"
            return self.server.token.error(req, LoginError(status, error, 9002313, message))
        if area == "control":
            return Reply(status, {"error": message})
        if area == "sms":
            return Sms.error(status, code, message)
        return self.graph_error(req, status, code, message)

    def fault_reply(self, req, area, fault):
        status = fault["status"]
        headers = dict(fault["headers"])
        retry_after = fault["retry_after"]
        if retry_after is None and status == 429:
            retry_after = 1          # a 429 always carries Retry-After
        if retry_after is not None:
            headers["Retry-After"] = str(int(retry_after) if float(retry_after).is_integer()
                                         else retry_after)
        if fault["body"] is not None:
            return Reply(status, fault["body"], headers)
        if area == "login":
            error = "temporarily_unavailable" if status in (429, 503) else "server_error"
            reply = self.server.token.error(req, LoginError(
                status, error, 90033, "A transient error has occurred. Please try again."))
        elif area == "sms":
            reply = Sms.error(status, "TooManyRequests" if status == 429 else "ServiceError",
                              "Please retry later.")
        else:
            code, message = {
                429: ("TooManyRequests", "Please retry again later."),
                503: ("serviceNotAvailable", "The service is temporarily unavailable. "
                      "Try the request again after a delay."),
                504: ("serviceNotAvailable", "Gateway timeout. Try the request again after a "
                      "delay."),
            }.get(status, ("generalException", "An unspecified error has occurred."))
            reply = self.graph_error(req, status, code, message)
        reply.headers.update(headers)
        return reply

    def drop(self, req):
        """Close the TCP connection without answering (RST, no TLS close_notify)."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.log_exchange(req, None)

    def finish_exchange(self, req, area, reply):
        self.send(req, area, reply)
        self.log_exchange(req, reply.status)

    def send(self, req, area, reply):
        payload = reply.payload()
        self.send_response(reply.status)
        headers = {}
        if area == "login":
            headers.update({"Cache-Control": "no-store, no-cache", "Pragma": "no-cache",
                            "x-ms-request-id": req.request_id})
            if req.client_request_id:
                headers["client-request-id"] = req.client_request_id
        elif area == "graph":
            headers.update({"request-id": req.request_id,
                            "client-request-id": req.client_request_id or req.request_id,
                            "x-ms-ags-diagnostic": '{"ServerInfo":{"DataCenter":"Loopback",'
                                                   '"Slice":"E","ScaleUnit":"000"}}'})
        if payload:
            headers["Content-Type"] = (LOGIN_CT if area == "login" else
                                       GRAPH_CT if area == "graph" else "application/json")
        headers.update(reply.headers)
        for name, value in headers.items():
            self.send_header(name, value)
        if reply.status != 204:
            self.send_header("Content-Length", str(len(payload)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if payload:
            self.wfile.write(payload)

    def log_exchange(self, req, status):
        auth = self.headers.get("Authorization")
        entry = {
            "time": iso_z(utcnow()), "method": req.method, "path": req.path,
            "query": redacted_query(req.query), "status": status,
            "request-id": req.request_id,
            # which TCP connection (numbered from 1) and the how-manieth
            # request on it: 1 = this request paid for a TCP and a TLS handshake
            "connection": self.conn_id,
            "on_connection": self.on_connection,
            "headers": {"client-request-id": self.headers.get("client-request-id"),
                        "content-type": self.headers.get("Content-Type"),
                        # presence and scheme only, never the credential itself
                        "authorization": auth.split(" ")[0] if auth else None},
        }
        for name in ("credential", "note", "fault", "held", "form_fields"):
            if getattr(req, name, None):
                entry[name] = getattr(req, name)
        if not req.path.startswith("/_emulator/"):
            self.server.state.record(entry)
        query = "&".join("%s=%s" % (k, v) for k, v in entry["query"])
        extra = " ".join(str(entry[k]) for k in ("credential", "fault", "held", "note")
                         if k in entry)
        log_line("%s %s %s%s -> %s %s" % (self.client_address[0], req.method, req.path,
                                          "?" + query if query else "",
                                          status if status else "(closed)", extra))


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, ssl_context, state):
        self.ssl_context = ssl_context
        self.state = state
        self.stopping = threading.Event()
        self.token = TokenEndpoint(state)
        self.graph = Graph(state)
        self.control = Control(state)
        self.sms = Sms(state)
        super().__init__(address, Handler)

    def finish_request(self, request, client_address):
        # The TLS handshake runs here, in the connection's own thread, so a slow
        # or hostile client cannot stall accept() for everyone else.
        request.settimeout(10)
        conn_id = self.state.new_connection()
        delay = self.state.latency["connect"]
        if delay and self.stopping.wait(delay):
            return
        try:
            conn = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as e:
            log_line("%s TLS handshake failed: %s" % (client_address[0], e))
            return
        try:
            conn.conn_id = conn_id
            self.RequestHandlerClass(conn, client_address, self)
        finally:
            conn.close()

    def handle_error(self, request, client_address):
        # Peers that vanish mid-request are normal in fault tests: one line.
        kind, value = sys.exc_info()[:2]
        if isinstance(value, (ConnectionError, TimeoutError, ssl.SSLError)):
            log_line("%s connection ended: %s" % (client_address[0], value))
        else:
            traceback.print_exc(file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description="Microsoft identity platform + Graph emulator")
    ap.add_argument("--cert", required=True, help="server certificate (PEM)")
    ap.add_argument("--key", required=True, help="server private key (PEM)")
    ap.add_argument("--tenant-file", required=True, help="tenant.json (see README.md)")
    ap.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1; 0 = any free")
    ap.add_argument("--ready-file", required=True, help="receives the port once listening")
    ap.add_argument("--state-file", help="user state + outbox as JSON after every change")
    args = ap.parse_args()

    state = State(args.tenant_file, args.state_file)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2    # as Microsoft's endpoints require
    ctx.load_cert_chain(args.cert, args.key)
    server = Server(("127.0.0.1", args.port), ctx, state)
    state.persist()

    def finish():
        state.release_held()        # held requests see stopping and end at once
        server.shutdown()

    def stop(signum, frame):
        server.stopping.set()
        # shutdown() waits for serve_forever(), which runs in this very thread.
        threading.Thread(target=finish, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    port = server.server_address[1]
    write_atomic(args.ready_file, "%d\n" % port)
    log_line("listening on https://127.0.0.1:%d (tenant %s)" % (port, state.domain))
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        try:
            os.unlink(args.ready_file)
        except OSError:
            pass
    log_line("stopped")


if __name__ == "__main__":
    main()
