"""Seed the demo: a fictional county with its units, staff, categories, responsibility list and
about 2,000 cases over the last 90 days, in every status and every channel.

Every state change goes through the real services (cases.services), so timelines and the audit
chain are real. The services stamp the present moment; afterwards the seed moves each case's
timeline back to its planned history (events' `at`, the case's own dates, and deadlines recomputed
from those dates with the same rules the services apply). Audit entries keep the moment they
were written, because each one hashes its own time.

Seeding is deterministic for a given seed (random.Random), apart from the dates, which are
relative to now.
"""

import datetime as dt
import random
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from stdnum.cn import ric

from fengqiao.cases import hooks, services
from fengqiao.cases.models import Case, CaseEvent, Category, Evaluation
from fengqiao.cases.selectors import deadline_colour
from fengqiao.cases.states import Channel, Rating, Status
from fengqiao.core.workdays import add_workdays
from fengqiao.demo import county, texts
from fengqiao.demo.taxonomy import MEDIATION, TAXONOMY, TOWN
from fengqiao.org.models import Department, Region, ResponsibilityRule, Role, Staff
from fengqiao.org.selectors import responsibility_lookup

DEMO_PASSWORD = "fengqiao123"
DEFAULT_CASES = 2000
DEFAULT_SEED = 20240601
HISTORY_DAYS = 90

CHANNEL_WEIGHTS = {
    Channel.HOTLINE: 26, Channel.ONLINE: 18, Channel.VISIT: 12, Channel.GRID: 14, Channel.LETTER: 6,
    Channel.QRCODE: 8, Channel.POLICE: 5, Channel.VIDEO: 4, Channel.COURT: 3, Channel.REPRESENTATIVE: 4,
}
STATUS_WEIGHTS = {
    Status.REGISTERED: 5, Status.REJECTED: 4, Status.ACCEPTED: 4, Status.DISPATCHED: 7, Status.IN_PROGRESS: 13,
    Status.RETURNED: 3, Status.REPLIED: 8, Status.EVALUATED: 5, Status.CLOSED: 51,
}
# The status a case is left in by its last event.
FINAL_STATUS = {
    "accept": Status.ACCEPTED, "reject": Status.REJECTED, "dispatch": Status.DISPATCHED, "claim": Status.IN_PROGRESS,
    "extend": Status.IN_PROGRESS, "return": Status.RETURNED, "escalate": Status.ACCEPTED, "reply": Status.REPLIED,
    "evaluate": Status.EVALUATED, "redo": Status.IN_PROGRESS, "close": Status.CLOSED, "review": Status.ACCEPTED,
}
# Hours between one step and the next: (least, most).
GAPS = {
    "accept": (0.2, 40), "reject": (2, 72), "dispatch": (0.5, 24), "claim": (0.3, 20), "return": (4, 72),
    "escalate": (24, 120), "extend": (120, 400), "reply": (24, 400), "evaluate": (12, 96), "close": (1, 72),
    "review": (72, 400),
}


@dataclass
class Login:
    username: str
    role: str
    unit: str
    region: str
    password: str = DEMO_PASSWORD


@dataclass
class SeedReport:
    created: bool
    cases: int = 0
    seconds: float = 0.0
    logins: list[Login] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    channels: Counter = field(default_factory=Counter)
    colours: Counter = field(default_factory=Counter)


def demo_is_seeded() -> bool:
    return Region.objects.filter(code=county.COUNTY[0]).exists()


def demo_logins() -> list[Login]:
    """Return the demo's staff accounts, the administrator first, then by unit."""
    staff = Staff.objects.filter(is_active=True).exclude(username="import").select_related("region", "department")
    roles = list(Role.values)
    chosen = [s for s in staff if s.region is None or s.region.path.startswith(f"/{county.CITY[0]}/")]
    chosen.sort(key=lambda s: (
        s.username != "admin", s.region.path.count("/") if s.region else 0, s.region.path if s.region else "",
        s.department.kind != "petition" if s.department else False, roles.index(s.role), s.username,
    ))
    return [
        Login(s.username, s.get_role_display(), s.department.name if s.department else "（全县）",
              s.region.name if s.region else "全部")
        for s in chosen
    ]


def demo_seed(*, cases: int = DEFAULT_CASES, seed: int = DEFAULT_SEED, progress=None) -> SeedReport:
    """Seed the demo once; a second call finds it there and only returns the logins."""
    if demo_is_seeded():
        return SeedReport(created=False, cases=Case.objects.filter(region__path__startswith=f"/{county.CITY[0]}/").count(),
                          logins=demo_logins())
    started = time.monotonic()
    with transaction.atomic(), hooks.muted():  # the cases are analysed in one batch afterwards
        world = _World(random.Random(seed))
        world.build()
        report = _Cases(world, random.Random(seed + 1), cases).run(progress)
    report.logins = demo_logins()
    report.seconds = time.monotonic() - started
    return report


def _setting(text: str) -> str | None:
    if "{village}" in text or "村" in text or "田" in text:
        return "rural"
    if any(word in text for word in ("{estate}", "小区", "楼上", "楼下", "业主", "物业")):
        return "urban"
    return None


# ---------------------------------------------------------------- the county


class _World:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.towns: list[dict] = []
        self.county_depts: dict[str, Department] = {}
        self.staff: dict[str, Staff] = {}
        self.dept_staff: dict[int, list[Staff]] = defaultdict(list)
        self.categories: list[tuple[Category, str, str, str]] = []  # (third level, tier, title, detail)

    def build(self) -> None:
        self.city = Region.objects.create(code=county.CITY[0], name=county.CITY[1], level="city")
        self.county = Region.objects.create(code=county.COUNTY[0], name=county.COUNTY[1], level="county", parent=self.city)
        for key, (name, kind) in county.COUNTY_DEPARTMENTS.items():
            self.county_depts[key] = Department.objects.create(name=name, kind=kind, region=self.county,
                                                               phone=f"0799-{2200000 + len(self.county_depts) * 1111}")
        for t_index, (slug, name, kind, villages) in enumerate(county.TOWNS, start=1):
            town = Region.objects.create(code=f"{self.county.code}{t_index:03d}", name=name, level="town", parent=self.county)
            gov = Department.objects.create(name=f"{name}{'办事处' if kind == 'street' else '人民政府'}", kind="town", region=town)
            centre = Department.objects.create(name=f"{name}综治中心", kind="mediation", region=town)
            entry = {"slug": slug, "region": town, "gov": gov, "centre": centre, "villages": []}
            for v_index, v_name in enumerate(villages, start=1):
                village = Region.objects.create(code=f"{town.code}{v_index:03d}", name=v_name, level="village", parent=town)
                committee = Department.objects.create(
                    name=f"{v_name}{'居民委员会' if v_name.endswith('社区') else '村民委员会'}", kind="village", region=village
                )
                grids = [
                    Region.objects.create(code=f"{village.code}{g:02d}", name=f"{v_name}{county.GRID_NAMES[g - 1]}",
                                          level="grid", parent=village)
                    for g in range(1, self.rng.randint(2, 4) + 1)
                ]
                entry["villages"].append({"region": village, "committee": committee, "grids": grids, "index": v_index})
            self.towns.append(entry)
        self._staff()
        self._taxonomy()

    def _staff(self) -> None:
        password = make_password(DEMO_PASSWORD)  # hashed once: hashing is slow on purpose
        names = iter(self._person_names(400))
        people: list[Staff] = []

        def add(username, role, region, dept, duty):
            # `duty` only says what the account is for, here in the code.
            people.append(Staff(username=username, password=password, role=role, region=region, department=dept,
                                display_name=next(names), is_staff=role == Role.ADMIN))

        xf = self.county_depts["xinfang"]
        add("admin", Role.ADMIN, None, None, "系统管理员")
        add("xfj_shouli", Role.CLERK, self.county, xf, "来访接待")
        add("rx_shouli", Role.CLERK, self.county, xf, "12345热线")
        add("xfj_paidan", Role.DISPATCHER, self.county, xf, "交办")
        add("xfj_lingdao", Role.LEADER, self.county, xf, "局长")
        add("duban", Role.SUPERVISOR, self.county, xf, "督查")
        add("xfj_banli", Role.HANDLER, self.county, xf, "办信")
        for key, dept in self.county_depts.items():
            if key != "xinfang":
                add(key, Role.HANDLER, self.county, dept, "承办")
        for town in self.towns:
            s, region = town["slug"], town["region"]
            add(f"{s}_shouli", Role.CLERK, region, town["gov"], "受理")
            add(f"{s}_paidan", Role.DISPATCHER, region, town["centre"], "派单")
            add(f"{s}_banli", Role.HANDLER, region, town["gov"], "承办")
            add(f"{s}_tiaojie", Role.MEDIATOR, region, town["centre"], "调解")
            add(f"{s}_lingdao", Role.LEADER, region, town["gov"], "分管领导")
            for village in town["villages"]:
                for g, grid in enumerate(village["grids"], start=1):
                    add(f"wg_{s}_{village['index']:02d}{g:02d}", Role.GRID_WORKER, grid, village["committee"], "网格员")
        Staff.objects.bulk_create(people)
        for person in Staff.objects.filter(username__in=[p.username for p in people]).select_related("region", "department"):
            self.staff[person.username] = person
            if person.department_id and person.role in (Role.HANDLER, Role.MEDIATOR, Role.GRID_WORKER):
                self.dept_staff[person.department_id].append(person)
        for members in self.dept_staff.values():
            members.sort(key=lambda p: p.username)

    def _person_names(self, count: int) -> list[str]:
        seen, out = set(), []
        while len(out) < count:
            name = self.rng.choice(county.SURNAMES) + "".join(self.rng.choice(county.GIVEN) for _ in range(self.rng.choice((1, 2))))
            if name not in seen:
                seen.add(name)
                out.append(name)
        return out

    def _taxonomy(self) -> None:
        rules = []
        for l1_name, dept_key, seconds in TAXONOMY:
            l1 = Category.objects.create(name=l1_name, depth=1, path=l1_name)
            rules.append(ResponsibilityRule(category=l1, region=self.county, department=self.county_depts[dept_key]))
            for l2_name, rule, thirds in seconds:
                l2 = Category.objects.create(name=l2_name, depth=2, path=f"{l1_name}/{l2_name}", parent=l1)
                tier = "county"
                if rule in (TOWN, MEDIATION):
                    tier = "town"
                    for town in self.towns:
                        dept = town["gov"] if rule == TOWN else town["centre"]
                        rules.append(ResponsibilityRule(category=l2, region=town["region"], department=dept))
                elif rule:
                    rules.append(ResponsibilityRule(category=l2, region=self.county, department=self.county_depts[rule]))
                for l3_name, title, detail in thirds:
                    l3 = Category.objects.create(name=l3_name, depth=3, path=f"{l2.path}/{l3_name}", parent=l2,
                                                 keywords=l3_name)
                    self.categories.append((l3, tier, title, detail))
        ResponsibilityRule.objects.bulk_create(rules)


# ---------------------------------------------------------------- the cases


@dataclass
class _Tier:
    """Who takes a case in, routes it, handles it and closes it at one level."""

    clerk: Staff
    dispatcher: Staff
    department: Department
    leader: Staff
    region_for_lookup: Region

    def handler(self, world: _World, rng: random.Random) -> Staff:
        return rng.choice(world.dept_staff[self.department.pk])


@dataclass
class _Step:
    action: str
    call: object  # a function of the case, returning the case
    events: tuple[str, ...]
    gap: float  # hours after the previous step
    info: dict = field(default_factory=dict)


class _Cases:
    def __init__(self, world: _World, rng: random.Random, count: int):
        self.w, self.rng, self.count = world, rng, count
        self.now = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=10)
        self.limits = settings.FENGQIAO_DEADLINES
        self.people: list[services.PetitionerData] = []
        self._lookup: dict[tuple[int, int], Department | None] = {}
        self._deadlines: dict[tuple[dt.date, int], dt.datetime] = {}

    # -- people

    def _id_number(self) -> str:
        born = dt.date(1945, 1, 1) + dt.timedelta(days=self.rng.randint(0, 60 * 365))
        body = f"{self.rng.choice(county.ID_PREFIXES)}{born:%Y%m%d}{self.rng.randint(10, 999):03d}"
        number = body + ric.calc_check_digit(body + "0")
        return ric.validate(number)

    def _petitioner(self, channel: str, town: dict, village: dict) -> services.PetitionerData | None:
        if channel in (Channel.ONLINE, Channel.QRCODE) and self.rng.random() < 0.12:
            return None  # anonymous
        if self.people and self.rng.random() < 0.2:
            return self.rng.choice(self.people)  # a repeat petitioner, often on another channel
        name = self.rng.choice(county.SURNAMES) + "".join(self.rng.choice(county.GIVEN) for _ in range(self.rng.choice((1, 2, 2))))
        person = services.PetitionerData(
            name=name,
            id_number=self._id_number() if channel not in (Channel.ONLINE, Channel.HOTLINE) or self.rng.random() < 0.5 else "",
            phone="1" + self.rng.choice("35789") + "".join(str(self.rng.randint(0, 9)) for _ in range(9)),
            address=f"{county.COUNTY[1]}{town['region'].name}{village['region'].name}{self.rng.randint(1, 12)}组{self.rng.randint(1, 80)}号",
        )
        self.people.append(person)
        return person

    # -- routing

    def _lookup_dept(self, category: Category, region: Region) -> Department | None:
        key = (category.pk, region.pk)
        if key not in self._lookup:
            self._lookup[key] = responsibility_lookup(category=category, region=region)
        return self._lookup[key]

    def _tiers(self, tier: str, category: Category, town: dict, village: dict) -> list[_Tier]:
        """The levels a case may pass through, lowest first."""
        s, w = self.w.staff, self.w
        town_clerk, town_dispatcher, town_leader = s[f"{town['slug']}_shouli"], s[f"{town['slug']}_paidan"], s[f"{town['slug']}_lingdao"]
        county_tier = _Tier(
            clerk=s[self.rng.choice(["xfj_shouli", "rx_shouli"])], dispatcher=s["xfj_paidan"],
            department=self._lookup_dept(category, w.county) or w.county_depts["xinfang"], leader=s["xfj_lingdao"],
            region_for_lookup=w.county,
        )
        town_dept = self._lookup_dept(category, town["region"])
        if town_dept is None or town_dept.region_id != town["region"].pk:
            town_dept = town["gov"]
        town_tier = _Tier(town_clerk, town_dispatcher, town_dept, town_leader, town["region"])
        village_tier = _Tier(town_clerk, town_dispatcher, village["committee"], town_leader, village["region"])
        if tier == "village":
            return [village_tier, town_tier, county_tier]
        if tier == "town":
            return [town_tier, county_tier]
        return [county_tier]

    # -- one case

    def _plan(self, index: int) -> dict:
        rng, w = self.rng, self.w
        channel = rng.choices(list(CHANNEL_WEIGHTS), weights=list(CHANNEL_WEIGHTS.values()))[0]
        target = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
        # The first cases go through every channel and status, so that even a small demo shows them all.
        if index < len(CHANNEL_WEIGHTS):
            channel = list(CHANNEL_WEIGHTS)[index]
        if index < len(STATUS_WEIGHTS):
            target = list(STATUS_WEIGHTS)[index]
        category, tier, title_t, detail_t = rng.choice(w.categories)
        if channel == Channel.GRID:
            tier = "village" if tier == "town" or rng.random() < 0.5 else tier
        elif tier == "town" and rng.random() < 0.3:
            tier = "village"
        # A matter of a housing estate happens in a community (社区), a matter of fields in a village.
        setting = _setting(title_t + detail_t)
        town, village = rng.choice([
            (t, v) for t in w.towns for v in t["villages"]
            if setting is None or v["region"].name.endswith("社区") == (setting == "urban")
        ])
        if channel == Channel.GRID:
            region = rng.choice(village["grids"])
        elif tier == "county" and rng.random() < 0.15:
            region = town["region"]
        else:
            region = village["region"]
        rural = setting == "rural" or (setting is None and not village["region"].name.endswith("社区"))
        values = texts.slots(rng, town["region"].name, village["region"].name)
        title, content = texts.case_text(rng, title=title_t, detail=detail_t, channel=channel, rural=rural, values=values)
        return dict(channel=channel, category=category, tier=tier, town=town, village=village, region=region,
                    title=title, content=content, values=values,
                    petitioner=self._petitioner(channel, town, village), target=target)

    def _registrar(self, plan: dict) -> Staff | None:
        s, channel, town = self.w.staff, plan["channel"], plan["town"]
        if channel in (Channel.ONLINE, Channel.QRCODE):
            return None
        if channel == Channel.GRID:
            grid = plan["region"]
            return next(p for p in self.w.dept_staff[plan["village"]["committee"].pk] if p.region_id == grid.pk)
        if channel == Channel.COURT:
            return s[f"{town['slug']}_tiaojie"]
        if channel == Channel.HOTLINE:
            return s["rx_shouli"]
        if plan["tier"] != "county" and channel in (Channel.VISIT, Channel.POLICE):
            return s[f"{town['slug']}_shouli"]
        return s["xfj_shouli"]

    def _steps(self, plan: dict) -> list[_Step]:
        """Plan the transitions that take a case to its target status, with their actors."""
        rng, sv, w = self.rng, services, self.w
        target = plan["target"]
        tiers = self._tiers(plan["tier"], plan["category"], plan["town"], plan["village"])
        level = 0
        steps: list[_Step] = []

        def step(action, call, events=None, info=None):
            low, high = GAPS[action]
            steps.append(_Step(action, call, events or (action,), rng.uniform(low, high), info or {}))

        first = tiers[0]
        if target == Status.REGISTERED:
            return steps
        if target == Status.REJECTED:
            step("reject", lambda c, a=first.clerk: sv.case_reject(case=c, actor=a, reason=rng.choice(texts.REJECT_REASONS)))
            return steps
        step("accept", lambda c, a=first.clerk: sv.case_accept(case=c, actor=a, category=plan["category"]))
        if target == Status.ACCEPTED and rng.random() < 0.6:
            return steps
        state = {"handler": None}

        def dispatch(tier: _Tier, department: Department | None = None):
            dept = department or tier.department
            co = []
            if tier is tiers[-1] and len(tiers) == 1 and rng.random() < 0.1:
                co = [rng.choice([d for k, d in w.county_depts.items() if k != "xinfang" and d.pk != dept.pk])]
            step("dispatch", lambda c, a=tier.dispatcher, d=dept, co=co: sv.case_dispatch(
                case=c, actor=a, department=d, co_departments=co))
            state["dept"] = dept

        def claim():
            handler = rng.choice(w.dept_staff[state["dept"].pk])
            state["handler"] = handler
            step("claim", lambda c, a=handler: sv.case_claim(case=c, actor=a))

        # A wrong first dispatch that the unit sends back (退单).
        if target == Status.RETURNED or rng.random() < 0.06:
            tier = tiers[level]
            wrong = [d for d in w.county_depts.values() if d.kind == "functional" and d.pk != tier.department.pk] \
                if tier is tiers[-1] else [plan["town"]["gov"] if tier.department != plan["town"]["gov"] else plan["town"]["centre"]]
            dispatch(tier, rng.choice(wrong))
            if rng.random() < 0.5:
                claim()
            handler = state["handler"] or rng.choice(w.dept_staff[state["dept"].pk])
            step("return", lambda c, a=handler: sv.case_return(case=c, actor=a, reason=rng.choice(texts.RETURN_REASONS)))
            state["handler"] = None
            if target == Status.RETURNED:
                return steps
        # Escalation (提级) from the village or the town when the matter outgrows them.
        while level + 1 < len(tiers) and rng.random() < 0.22:
            dispatch(tiers[level])
            claim()
            step("escalate", lambda c, a=state["handler"]: sv.case_escalate(case=c, actor=a, reason=rng.choice(texts.ESCALATE_REASONS)))
            level += 1
        tier = tiers[level]
        if target == Status.ACCEPTED:
            return steps
        dispatch(tier)
        if target == Status.DISPATCHED:
            return steps
        claim()
        if rng.random() < 0.08 or (target == Status.IN_PROGRESS and rng.random() < 0.15):
            days = rng.choice([10, 15, 20, 30])
            step("extend", lambda c, a=tier.leader, d=days: sv.case_extend(case=c, actor=a, days=d, reason=rng.choice(texts.EXTEND_REASONS)),
                 info={"days": days})
        if target == Status.IN_PROGRESS:
            return steps
        dept_name = state["dept"].name

        def reply(content=None):
            text = content or texts.reply_text(rng, title=plan["title"], dept=dept_name, values=plan["values"])
            step("reply", lambda c, a=state["handler"], t=text: sv.case_reply(case=c, actor=a, content=t))

        def evaluate(rating, by_staff=None, redo=False):
            comment = rng.choice(texts.COMMENTS_BAD if rating == Rating.DISSATISFIED else texts.COMMENTS_GOOD)
            step("evaluate", lambda c, a=by_staff, r=rating: sv.case_evaluate(case=c, actor=a, rating=r, comment=comment),
                 events=("evaluate", "redo") if redo else ("evaluate",))

        reply()
        if target == Status.REPLIED:
            return steps
        caller = tier.clerk if rng.random() < 0.4 else None  # 回访 by phone, or the petitioner rates online
        roll = rng.random()
        if roll < 0.1:  # dissatisfied: re-handled (重办) by the same unit
            evaluate(Rating.DISSATISFIED, caller, redo=True)
            reply(rng.choice(texts.REDO_REPLIES))
            if rng.random() < 0.25:  # still dissatisfied: a supervisor decides
                evaluate(Rating.DISSATISFIED, caller)
                if target == Status.CLOSED:
                    step("close", lambda c, a=w.staff["duban"]: sv.case_close(case=c, actor=a, note="经督办核查，已依法依规处理到位，予以办结"))
                return steps
            evaluate(rng.choice([Rating.SATISFIED, Rating.BASICALLY_SATISFIED]), caller)
        elif target == Status.EVALUATED or roll < 0.8:
            evaluate(rng.choice([Rating.SATISFIED, Rating.SATISFIED, Rating.BASICALLY_SATISFIED]), caller)
        if target == Status.EVALUATED:
            return steps
        step("close", lambda c, a=tier.clerk: sv.case_close(case=c, actor=a))
        if rng.random() < 0.05:  # the petitioner appeals (复查), and the case is handled again
            step("review", lambda c: sv.case_review(case=c, actor=None, reason=rng.choice(texts.APPEAL_REASONS)))
            if rng.random() < 0.7:
                dispatch(tier)
                claim()
                reply(rng.choice(texts.REVIEW_REPLIES))
                step("close", lambda c, a=tier.clerk: sv.case_close(case=c, actor=a, note="复查办结"))
        return steps

    # -- time

    def _times(self, plan: dict, steps: list[_Step]) -> tuple[dt.datetime, list[tuple[str, dt.datetime, dict]]]:
        """Choose when the case came in and when each step happened, so that open cases show every
        deadline colour and the whole history stays within the last 90 days."""
        rng = self.rng
        span = sum(s.gap for s in steps)
        room = HISTORY_DAYS * 24 - 2
        if span > room * 0.9:
            scale = room * 0.9 / span
            for s in steps:
                s.gap *= scale
            span = room * 0.9
        latest_start = room - span

        def timeline(start_hours_ago: float):
            t = self.now - dt.timedelta(hours=start_hours_ago)
            events = [("register", t, {})]
            for s in steps:
                t = t + dt.timedelta(hours=s.gap)
                events += [(e, t, s.info) for e in s.events]
            return events

        final = FINAL_STATUS[steps[-1].events[-1]] if steps else Status.REGISTERED
        wanted = rng.choices(["red", "yellow", "green"], [25, 15, 60])[0]
        candidates = [span + x * (latest_start / 40) for x in range(41)]
        rng.shuffle(candidates)
        chosen = candidates[0]
        for start in candidates:
            fields, _ = self.timeline_fields(timeline(start))
            colour = deadline_colour(SimpleNamespace(due_at=fields["due_at"], status=final), self.now)
            if colour in ("", wanted):
                chosen = start
                break
        events = timeline(chosen)
        return events[0][1], events

    def timeline_fields(self, events) -> tuple[dict, list[dt.datetime | None]]:
        """Return the case's dates after `events` [(action, at, info)], by the rules the services
        apply, and the deadline in force after each event (for the notes that quote it)."""
        add, lim = self._add_workdays, self.limits
        f = dict(created_at=None, accepted_at=None, dispatched_at=None, replied_at=None, closed_at=None,
                 accept_due_at=None, resolve_due_at=None, due_at=None)
        dues = []
        for action, at, info in events:
            local = timezone.localtime(at)
            if action == "register":
                f["created_at"] = at
                f["accept_due_at"] = f["due_at"] = add(local, lim["accept"])
            elif action == "accept":
                f["accepted_at"] = at
                f["resolve_due_at"] = f["due_at"] = add(local, lim["resolve"])
            elif action == "reject":
                f["closed_at"], f["due_at"] = at, None
            elif action == "dispatch":
                f["dispatched_at"] = at
                if f["resolve_due_at"] is None:
                    f["resolve_due_at"] = add(local, lim["resolve"])
                f["due_at"] = f["resolve_due_at"]
            elif action == "extend":
                f["resolve_due_at"] = f["due_at"] = add(timezone.localtime(f["resolve_due_at"] or at), info["days"])
            elif action == "reply":
                f["replied_at"], f["due_at"] = at, None
            elif action == "redo":
                f["resolve_due_at"] = f["due_at"] = add(local, lim["accept"])
                f["replied_at"] = None
            elif action == "close":
                f["closed_at"], f["due_at"] = at, None
            elif action == "review":
                f["closed_at"] = None
                f["resolve_due_at"] = f["due_at"] = add(local, lim["review"])
            dues.append(f["resolve_due_at"])
        return f, dues

    def _add_workdays(self, start: dt.datetime, days: int) -> dt.datetime:
        """add_workdays, remembered per (day, days): the time planning asks it thousands of times."""
        key = (start.date(), days)
        if key not in self._deadlines:
            self._deadlines[key] = add_workdays(start, days)
        return self._deadlines[key]

    # -- run

    def run(self, progress=None) -> SeedReport:
        report = SeedReport(created=True)
        planned: dict[int, list[tuple[str, dt.datetime, dict]]] = {}
        for index in range(self.count):
            if progress and index and index % 250 == 0:
                progress(index, self.count)
            plan = self._plan(index)
            steps = self._steps(plan)
            created_at, events = self._times(plan, steps)
            case, _ = services.case_register(
                title=plan["title"], content=plan["content"], channel=plan["channel"], region=plan["region"],
                actor=self._registrar(plan), petitioner=plan["petitioner"], created_at=created_at,
                category=plan["category"] if plan["channel"] in (Channel.GRID, Channel.HOTLINE) else None,
            )
            for s in steps:
                case = s.call(case)
            planned[case.pk] = events
        self._backdate(planned)
        for status, channel, due in Case.objects.filter(pk__in=planned).values_list("status", "channel", "due_at"):
            report.statuses[status] += 1
            report.channels[channel] += 1
            report.colours[deadline_colour(SimpleNamespace(due_at=due, status=status)) or "none"] += 1
        report.cases = len(planned)
        return report

    def _backdate(self, planned: dict[int, list]) -> None:
        """Move each case's timeline to its planned history."""
        by_case: dict[int, list[CaseEvent]] = defaultdict(list)
        for event in CaseEvent.objects.filter(case_id__in=planned).order_by("case_id", "pk"):
            by_case[event.case_id].append(event)
        evaluations: dict[int, list[Evaluation]] = defaultdict(list)
        for ev in Evaluation.objects.filter(case_id__in=planned).order_by("case_id", "pk"):
            evaluations[ev.case_id].append(ev)
        cases = Case.objects.in_bulk(list(planned))
        changed_events, changed_cases, changed_evals = [], [], []
        date_re = re.compile(r"\d{4}-\d{2}-\d{2}")
        for case_id, events in planned.items():
            actual = by_case[case_id]
            if [e.action for e in actual] != [a for a, _, _ in events]:
                raise RuntimeError(f"demo case {case_id}: timeline {[e.action for e in actual]} differs from plan")
            fields, dues = self.timeline_fields(events)
            eval_times = iter(at for action, at, _ in events if action == "evaluate")
            for event, (_, at, _), due in zip(actual, events, dues):
                event.at = at
                if event.action in ("accept", "extend") and due:
                    event.public_note = date_re.sub(f"{timezone.localtime(due):%Y-%m-%d}", event.public_note)
                changed_events.append(event)
            for ev in evaluations[case_id]:
                ev.at = next(eval_times)
                changed_evals.append(ev)
            case = cases[case_id]
            for name, value in fields.items():
                setattr(case, name, value)
            case.updated_at = events[-1][1]
            changed_cases.append(case)
        _update_many(CaseEvent, ["at", "public_note"], changed_events)
        _update_many(Evaluation, ["at"], changed_evals)
        _update_many(Case, [*fields.keys(), "updated_at"], changed_cases)


def _update_many(model, fields: list[str], objects: list) -> None:
    """Write `fields` of `objects` back with one prepared UPDATE run for all rows (bulk_update
    builds a CASE expression per batch, far slower for tens of thousands of rows)."""
    ops, meta = connection.ops, model._meta
    columns = [meta.get_field(name) for name in fields]
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        ops.quote_name(meta.db_table),
        ", ".join(f"{ops.quote_name(f.column)} = %s" for f in columns),
        ops.quote_name(meta.pk.column),
    )

    def value(obj, f):
        v = getattr(obj, f.attname)
        return ops.adapt_datetimefield_value(v) if isinstance(v, dt.datetime) else v

    rows = [[value(obj, f) for f in columns] + [obj.pk] for obj in objects]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 1000):
            cursor.executemany(sql, rows[start:start + 1000])
