"""Who is signed in, and the guard every page calls before showing anything."""
from __future__ import annotations

import datetime as dt
import json

import streamlit as st

from connectors.live import LiveData
from ui import settings
from ui.i18n import t
from services.activities import derivation_of
from ui.pages import PAGES_BY_KEY
from ui.state import attempt_log, live, session_key
from workflows.access import PUBLIC, SIGNED_OUT, Viewer, may_open, viewer_by_email, viewer_for
from workflows.clock import from_epoch, local_now, utc_now
from workflows.codes import code_is_valid
from workflows.dashboard import dashboard_figures
from workflows.hours import credited_entries
from workflows.points import leaderboard
from workflows.settings import term
from workflows.sessions import code_fingerprint, issue_token, seconds_left, token_holder
from workflows.signup import Derivation

SESSION_PERSON = "person_id"
SESSION_TOKEN = "_session_token"  # the signed token of a code sign-in, kept in the browser's cookie too
SIGNED_OUT_HERE = "_signed_out_here"  # this tab signed out: the cookie its first request carried no longer counts
COOKIE = "workbench_session"


def data() -> LiveData:
    return live().data()


def now() -> dt.datetime:
    """Now, in the workbook's time zone (never the server's): for pages, and as the services' clock."""
    return local_now(data().tables.timezone)


def derivation() -> Derivation:
    """The rosters of the current snapshot, derived once per snapshot for every session."""
    return derivation_of(data())


def figures_data() -> LiveData:
    """The data whose heavy figures (leaderboard, dashboard, credited hours) are computed: the
    current data once its refresh has prepared them, else the data just before (see `prepare_figures`)."""
    return live().prepared()


def current_leaderboard():
    """The points leaderboard, computed once per snapshot (and per `FIGURES_EVERY`) for every visitor."""
    return leaderboard_of(figures_data())


def my_credited_entries():
    """Credited hours of everyone, as of the figures' moment (one computation per snapshot)."""
    shown = figures_data()
    return credited_entries(shown.tables, derivation_of(shown), figures_moment(shown))


def dashboard_of(shown: LiveData, branch: str | None, frequency: str, since):
    moment = figures_moment(shown)
    return shown.memo("dashboard", lambda tables, b, f, s, at: dashboard_figures(tables, derivation_of(shown), at, b, f, s),
                      branch, frequency, since, moment)


FIGURES_EVERY = dt.timedelta(minutes=10)  # figures that depend on time alone (overdue, held) move this often


def figures_moment(shown: LiveData) -> dt.datetime:
    """The "as of" of the figures of this data: the read's time, to `FIGURES_EVERY`, so the figures of
    unchanged data are computed again only that often, not at each page run."""
    taken = shown.taken_at.replace(second=0, microsecond=0)
    return taken - dt.timedelta(minutes=taken.minute % (FIGURES_EVERY.seconds // 60))


def leaderboard_of(shown: LiveData):
    moment = figures_moment(shown)
    return shown.memo("leaderboard", lambda tables, at: leaderboard(tables, derivation_of(shown), at), moment)


def prepare_figures(shown: LiveData) -> None:
    """What the refresh computes before new data is shown: the rosters, the leaderboard, everyone's
    credited hours and the dashboard as a leader first opens it."""
    derivation_of(shown)
    leaderboard_of(shown)
    credited_entries(shown.tables, derivation_of(shown), figures_moment(shown))
    dashboard_of(shown, None, "month", term(shown.tables)[0])


def flash(kind: str, message: str) -> None:
    """A message to show at the top of the page after the rerun a button causes."""
    st.session_state["_flash"] = (kind, message)


def show_flash() -> None:
    kind, message = st.session_state.pop("_flash", (None, None))
    if kind:
        getattr(st, kind)(message)


def oidc_email() -> str | None:
    """The e-mail of an OIDC sign-in, when the app is configured for one and the person signed in."""
    if not settings.oidc_enabled() or not st.user.is_logged_in:
        return None
    if st.user.get("email_verified") is False:  # the provider says it is not theirs: match nobody
        return ""
    return st.user.get("email") or ""


def current_viewer() -> Viewer:
    people = data().tables["people"]
    email = oidc_email()
    if email is not None:
        return viewer_by_email(people, email) or SIGNED_OUT
    person_id = session_person()
    return (viewer_for(people, person_id) if person_id else None) or SIGNED_OUT


def session_person() -> str | None:
    """Who signed in with a code: in this tab, or earlier on this device (the cookie a reload, a new
    tab or a scanned QR code brings). The token is checked on every run, so an expired one, or one
    whose code was reset or revoked since, ends the session at once."""
    state = st.session_state
    token = state.get(SESSION_TOKEN)
    if token is None and SESSION_PERSON not in state and not state.get(SIGNED_OUT_HERE):
        token = kept_cookie()
    if token is None:
        return state.get(SESSION_PERSON)
    holder = token_holder(session_key(), token, data().tables, utc_now().timestamp())
    if holder is None:
        end_session()
        return None
    state[SESSION_PERSON], state[SESSION_TOKEN] = holder, token
    return holder


def kept_cookie() -> str | None:
    """The session cookie the browser sent when this tab opened (a later write shows from the next load)."""
    value = st.context.cookies.get(COOKIE)
    return value if isinstance(value, str) and value else None


def end_session() -> None:
    """Signs this tab out and has the browser forget the kept sign-in."""
    st.session_state.pop(SESSION_PERSON, None)
    st.session_state.pop(SESSION_TOKEN, None)
    st.session_state[SIGNED_OUT_HERE] = True


def keep_session_on_device() -> None:
    """Writes (or deletes) the browser's session cookie when it differs from this tab's sign-in.

    Streamlit reads cookies (`st.context.cookies`, as the page's first request sent them) but has
    no API to set one, so a few lines of JavaScript in `st.html` set it in the page itself (not an
    iframe). JavaScript cannot set HttpOnly; the cookie is SameSite=Lax, Secure over https, and
    holds nothing secret: only a signed, expiring token.
    """
    token = st.session_state.get(SESSION_TOKEN)
    kept = kept_cookie()
    if token and token != kept:
        _set_cookie(token, seconds_left(token, utc_now().timestamp()))
    elif not token and kept and st.session_state.get(SIGNED_OUT_HERE):
        _set_cookie("", 0)


def _set_cookie(value: str, max_age: int) -> None:
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    path = f"/{base}" if base else "/"  # the app's own path, as Streamlit's auth cookie uses
    cookie = f"{COOKIE}={value}; Max-Age={int(max_age)}; Path={path}; SameSite=Lax"
    script = ("<script>(function(){var secure = location.protocol === 'https:' ? '; Secure' : '';"
              f"document.cookie = {json.dumps(cookie)} + secure;}})();</script>")
    st.html(script, unsafe_allow_javascript=True, width="content")


def sign_in_with_code(person_id: str, code: str, now: dt.datetime) -> str | None:
    """Signs the session in; returns None on success or the message to show."""
    person_id, code = person_id.strip(), code.strip()
    if not person_id or not code:
        return t("sign_in.missing")
    attempts = attempt_log()
    number, until = attempts.begin(f"sign-in:{person_id}", client_id())  # counted before the code is checked
    if number is None:
        return t("sign_in.blocked", time=f"{local_time(until):%H:%M:%S}")
    tables = data().tables
    known = viewer_for(tables["people"], person_id) is not None
    if not code_is_valid(tables, person_id if known else "", code) or not known:
        return t("sign_in.wrong")
    attempts.succeeded(number)
    token = issue_token(session_key(), person_id, code_fingerprint(tables, person_id) or "", utc_now().timestamp(),
                        settings.session_days())
    st.session_state[SESSION_PERSON], st.session_state[SESSION_TOKEN] = person_id, token
    st.session_state.pop(SIGNED_OUT_HERE, None)
    return None


def local_time(epoch_seconds: float) -> dt.datetime:
    """A moment from the attempt log, in the workbook's time zone."""
    return from_epoch(epoch_seconds, data().tables.timezone)


def client_id() -> str:
    """Who is trying, as far as the server can tell: the browser's address. Without one every such
    client counts as one (a new browser session must not mean a fresh count)."""
    address = getattr(st.context, "ip_address", None)
    return f"ip:{address}" if isinstance(address, str) and address else "ip:unknown"


def session_id() -> str:
    """This browser session's ID (rate limits count per session too)."""
    context = st.runtime.scriptrunner.get_script_run_ctx()
    return context.session_id if context else "none"


def sign_out() -> None:
    end_session()
    if oidc_email() is not None:
        st.logout()


def guard(page_key: str) -> Viewer:
    """The viewer, if they may open this page; otherwise a clear message and nothing else."""
    viewer = current_viewer()
    audience = PAGES_BY_KEY[page_key].audience
    if may_open(viewer, audience):
        return viewer
    if not viewer.signed_in:
        st.session_state["return_to"] = (PAGES_BY_KEY[page_key].path, st.query_params.to_dict())
        st.info(t("guard.sign_in_first"))
        st.page_link(PAGES_BY_KEY["sign_in"].path, label=t("guard.go_sign_in"), icon=":material/login:")
    else:
        names = "、".join(t(f"role.{role}") for role in sorted(audience - {PUBLIC}))
        st.warning(t("guard.not_for_role", audience=names, role=t(f"role.{viewer.role}")))
    st.stop()
