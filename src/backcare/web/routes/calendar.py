"""``/calendar/{token}.ics``: a person's private iCalendar feed, for any calendar app.

The URL's secret token is the only credential (calendar apps cannot log in); the database keeps
only its HMAC digest, so a leaked database does not leak feeds, and creating a new token or
revoking it (``/plan/settings``) stops the old URL at once. The feed holds the plan's exercise
sessions, break windows on work days and a daily check-in reminder, as repeating events in the
person's time zone. Titles say what to do, never anything about the person's health.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response
from icalendar import Alarm, Calendar, Event

from backcare.store import care as care_store
from backcare.web.care_view import CareContext, care_context
from backcare.web.deps import DbDep, SettingsDep, public
from backcare.web.security import token_digest

__all__ = ["FEED_TIMES", "build_feed", "router"]

router = APIRouter()

#: Local times of the feed's events (backcare's defaults): exercise at 18:00, breaks during a
#: 09:00-17:00 work day, the check-in at 20:00.
FEED_TIMES = {"session": time(18, 0), "work_start": time(9, 0), "work_end": time(17, 0)}
CHECKIN_TIME = time(20, 0)
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _at(day: date, moment: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, moment, tzinfo=zone)


def _alarm(text: str, minutes_before: int = 0) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", text)
    alarm.add("trigger", timedelta(minutes=-minutes_before))
    return alarm


def build_feed(ctx: CareContext, person_id: int, stamp: datetime, host: str) -> bytes:
    """The iCalendar document for the person's current plan (valid RFC 5545)."""
    cal = Calendar()
    cal.add("prodid", "-//backcare//care programme//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "backcare plan")
    zone = ctx.zone
    start = ctx.today

    def event(uid: str, summary: str, begin: datetime, end: datetime, description: str) -> Event:
        ev = Event()
        ev.add("uid", f"{uid}-{person_id}@{host}")
        ev.add("dtstamp", stamp)
        ev.add("summary", summary)
        ev.add("dtstart", begin)
        ev.add("dtend", end)
        ev.add("description", description)
        return ev

    checkin = event(
        "checkin",
        "backcare check-in (30 seconds)",
        _at(start, CHECKIN_TIME, zone),
        _at(start, CHECKIN_TIME, zone) + timedelta(minutes=5),
        "How was your back today? Open backcare and tap your answers.",
    )
    checkin.add("rrule", {"freq": "daily"})
    checkin.add_component(_alarm("backcare check-in"))
    cal.add_component(checkin)

    plan = ctx.plan
    if plan is not None and not plan.gated:
        for session in plan.sessions:
            days = [DAY_CODES[d] for d in session.weekdays]
            begin = _at(start, FEED_TIMES["session"], zone)
            ev = event(
                f"session-{session.template.id}",
                session.template.title,
                begin,
                begin + timedelta(minutes=session.template.minutes),
                f"About {session.template.minutes} minutes. Open backcare's plan to start the "
                "session player.",
            )
            ev.add("rrule", {"freq": "weekly", "byday": days})
            ev.add_component(_alarm(session.template.title, 10))
            cal.add_component(ev)
        work = event(
            "breaks",
            f"Movement breaks: every {ctx.break_every_min} minutes",
            _at(start, FEED_TIMES["work_start"], zone),
            _at(start, FEED_TIMES["work_end"], zone),
            f"Stand up and move for about {ctx.break_length_min} minute(s) every "
            f"{ctx.break_every_min} minutes of desk work.",
        )
        work.add("transp", "TRANSPARENT")
        work.add("rrule", {"freq": "weekly", "byday": list(DAY_CODES[:5])})
        cal.add_component(work)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


@router.get("/calendar/{token}.ics")
@public
def calendar_feed(request: Request, db: DbDep, settings: SettingsDep, token: str) -> Response:
    person_id = care_store.person_for_feed_digest(
        db, token_digest(settings.secret_key, token, purpose="calendar")
    )
    if person_id is None:
        return Response("Not found", status_code=404, media_type="text/plain")
    ctx = care_context(request, db, person_id)
    host = request.url.hostname or "backcare"
    body = build_feed(ctx, person_id, datetime.now(ctx.zone), host)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"},
    )
