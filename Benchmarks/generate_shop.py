#!/usr/bin/env python3
"""Deterministic sample-data generator for Hookline: "Hookline Coffee & Tea".

Writes DIR/customers.csv, DIR/orders.csv and DIR/events.csv (UTF-8, LF, header
row, RFC 4180 quoting only where needed).  Pure Python 3 standard library; the
same --seed and arguments always give byte-identical files.

    python3 Benchmarks/generate_shop.py --out DIR [--customers N]
        [--order-lines N] [--events N] [--end 2026-11-20] [--years 2] [--seed 42]

All timestamps are instants strictly before the end date at 00:00 UTC, within
`--years` of history before it.  `orders.csv` has exactly --order-lines rows
and is sorted by ordered_at (order ids increase with time); `events.csv` has
exactly --events rows (unless the audience is far too small for that many, in
which case a warning is printed), grouped by campaign in send order.

Customer behaviour (retention customer types):
  ~15% loyal        reorder every 20-45 days with a personal rhythm (same
                    favourite coffee); ~20% of them lapsed (no order for 90+ days)
  ~25% semi-loyal   every 60-120 days (some lapsed)
  ~30% latent       1-2 orders ever, long ago
  ~28% non-customer signed up, never ordered
  ~2%  new          first order within the last 30 days
The intervals of loyal/semi-loyal customers are scaled so that the requested
number of order lines comes out (default ratio: 5 lines per customer).
"""

import argparse
import bisect
import datetime as _dt
import heapq
import os
import random
import sys
import time
from array import array

DAY = 86400

# ---------------------------------------------------------------- catalogue --
# (sku, name, category, price in cents, roast or None)
PRODUCTS = [
    ("CB-ETH-250", "Ethiopia Yirgacheffe Beans 250g", "coffee", 1250, "light"),
    ("CB-KEN-250", "Kenya AA Beans 250g", "coffee", 1390, "light"),
    ("CB-COL-250", "Colombia Huila Beans 250g", "coffee", 1150, "medium"),
    ("CB-BRA-250", "Brazil Santos Beans 250g", "coffee", 990, "medium"),
    ("CB-GUA-250", "Guatemala Antigua Beans 250g", "coffee", 1190, "medium"),
    ("CB-MRN-250", 'Hookline "Morning Catch" Blend 250g', "coffee", 1090, "medium"),
    ("CB-HOU-1K", "House Blend Beans 1kg", "coffee", 2990, "medium"),
    ("CB-SUM-250", "Sumatra Mandheling Beans 250g", "coffee", 1290, "dark"),
    ("CB-FRE-250", "French Roast Beans 250g", "coffee", 1090, "dark"),
    ("CB-ESP-250", "Espresso Blend Beans 250g", "coffee", 1190, "espresso"),
    ("CB-ESP-1K", "Espresso Blend Beans 1kg", "coffee", 3490, "espresso"),
    ("CB-DEC-250", "Swiss Water Decaf Beans 250g", "coffee", 1290, "decaf"),
    ("CG-HOU-250", "House Blend Ground 250g", "coffee", 950, "medium"),
    ("CG-ESP-250", "Espresso Blend Ground, Fine 250g", "coffee", 1190, "espresso"),
    ("CG-FRE-250", "French Roast Ground, Coarse 250g", "coffee", 1090, "dark"),
    ("CG-DEC-250", "Decaf Ground 250g", "coffee", 1250, "decaf"),
    ("TE-ENG-100", "English Breakfast Tea 100g", "tea", 690, None),
    ("TE-EAR-100", "Earl Grey Tea 100g", "tea", 750, None),
    ("TE-SEN-100", "Japanese Sencha 100g", "tea", 990, None),
    ("TE-JAS-050", "Jasmine Pearls 50g", "tea", 1190, None),
    ("TE-DAR-100", "Darjeeling First Flush 100g", "tea", 1290, None),
    ("TE-ROO-100", "Rooibos Vanilla 100g", "tea", 650, None),
    ("TE-CHA-100", "Masala Chai Loose Leaf 100g", "tea", 790, None),
    ("TE-MAT-030", "Ceremonial Matcha 30g", "tea", 1890, None),
    ("TE-MTN-050", "Greek Mountain Tea 50g", "tea", 690, None),
    ("TE-IVN-050", "Ivan Chai (Fireweed Tea) 50g", "tea", 790, None),
    ("EQ-DRP-002", "Ceramic Pour-Over Dripper", "equipment", 2490, None),
    ("EQ-FRP-008", "French Press 8-Cup, 1L", "equipment", 3200, None),
    ("EQ-GRD-HND", "Hand Burr Grinder", "equipment", 4900, None),
    ("EQ-GRD-ELC", "Electric Burr Grinder", "equipment", 13900, None),
    ("EQ-KTL-GSN", "Gooseneck Kettle 0.9L", "equipment", 5900, None),
    ("EQ-MOK-003", "Stovetop Espresso Maker, 3-Cup", "equipment", 2990, None),
    ("EQ-SCL-001", "Brewing Scale with Timer", "equipment", 2750, None),
    ("EQ-TPT-800", "Glass Teapot with Infuser 800ml", "equipment", 2600, None),
    ("AC-FLT-100", "Paper Filters (100 pack)", "accessories", 550, None),
    ("AC-MUG-CER", "Hookline Ceramic Mug", "accessories", 1400, None),
    ("AC-TMB-350", "Insulated Tumbler 350ml", "accessories", 2200, None),
    ("AC-CAN-001", "Airtight Coffee Canister", "accessories", 1850, None),
    ("AC-INF-001", "Stainless Tea Infuser", "accessories", 690, None),
    ("AC-CLN-012", "Descaling Tablets (12 pack)", "accessories", 890, None),
    ("GF-DSC-003", "Discovery Box: 3 Origins", "gifts", 3200, None),
    ("GF-TEA-008", "Tea Sampler, 8 Teas", "gifts", 2400, None),
    ("GF-BRW-KIT", "Pour-Over Starter Kit", "gifts", 5900, None),
    ("GF-CRD-025", "Gift Card €25", "gifts", 2500, None),
    ("GF-CRD-050", "Gift Card €50", "gifts", 5000, None),
    ("GF-ADV-024", "Advent Calendar, 24 Teas", "gifts", 3900, None),
]
ROASTS = ["light", "medium", "dark", "espresso", "decaf"]
ROAST_WEIGHTS = [0.14, 0.30, 0.16, 0.18, 0.04]  # remaining 0.18: tea drinkers (empty)

# ------------------------------------------------------------------- people --
EN_F = ["Emma", "Olivia", "Sophie", "Charlotte", "Amelia", "Grace", "Lucy", "Hannah",
        "Emily", "Chloe", "Jessica", "Sarah", "Laura", "Rachel", "Megan", "Alice",
        "Isabel", "Ruby", "Zoe", "Natalie", "Claire", "Anna", "Kate", "Julia", "Maya"]
EN_M = ["James", "Oliver", "Jack", "Harry", "George", "Thomas", "William", "Daniel",
        "Samuel", "Joseph", "David", "Michael", "Matthew", "Andrew", "Ryan", "Ben",
        "Luke", "Adam", "Noah", "Ethan", "Peter", "Chris", "Mark", "Simon", "Paul"]
EN_L = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
        "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green",
        "Hall", "Wood", "Jackson", "Clarke", "Miller", "Baker", "Turner", "Hughes",
        "Carter", "Murphy", "Bennett", "Cooper", "Price", "Fisher", "O'Brien", "Kelly"]
# (Cyrillic, Latin transliteration)
RU_F = [("Анна", "anna"), ("Мария", "maria"), ("Елена", "elena"), ("Ольга", "olga"),
        ("Татьяна", "tatiana"), ("Наталья", "natalia"), ("Ирина", "irina"),
        ("Светлана", "svetlana"), ("Екатерина", "ekaterina"), ("Юлия", "yulia"),
        ("Дарья", "daria"), ("Алина", "alina"), ("Ксения", "ksenia"), ("Вера", "vera"),
        ("Софья", "sofya"), ("Полина", "polina")]
RU_M = [("Александр", "alexander"), ("Дмитрий", "dmitry"), ("Сергей", "sergey"),
        ("Андрей", "andrey"), ("Алексей", "alexey"), ("Иван", "ivan"), ("Михаил", "mikhail"),
        ("Николай", "nikolay"), ("Павел", "pavel"), ("Артём", "artem"), ("Максим", "maxim"),
        ("Владимир", "vladimir"), ("Егор", "egor"), ("Илья", "ilya"), ("Роман", "roman"),
        ("Никита", "nikita")]
# (masculine, feminine, transliteration of the masculine form)
RU_L = [("Смирнов", "Смирнова", "smirnov"), ("Иванов", "Иванова", "ivanov"),
        ("Кузнецов", "Кузнецова", "kuznetsov"), ("Попов", "Попова", "popov"),
        ("Соколов", "Соколова", "sokolov"), ("Лебедев", "Лебедева", "lebedev"),
        ("Козлов", "Козлова", "kozlov"), ("Новиков", "Новикова", "novikov"),
        ("Морозов", "Морозова", "morozov"), ("Петров", "Петрова", "petrov"),
        ("Волков", "Волкова", "volkov"), ("Соловьёв", "Соловьёва", "solovyov"),
        ("Васильев", "Васильева", "vasiliev"), ("Зайцев", "Зайцева", "zaitsev"),
        ("Павлов", "Павлова", "pavlov"), ("Семёнов", "Семёнова", "semenov"),
        ("Орлов", "Орлова", "orlov"), ("Фёдоров", "Фёдорова", "fedorov")]
EL_F = [("Μαρία", "maria"), ("Ελένη", "eleni"), ("Αικατερίνη", "aikaterini"),
        ("Βασιλική", "vasiliki"), ("Σοφία", "sofia"), ("Γεωργία", "georgia"),
        ("Δήμητρα", "dimitra"), ("Ευαγγελία", "evangelia"), ("Ιωάννα", "ioanna"),
        ("Χριστίνα", "christina"), ("Αναστασία", "anastasia"), ("Δέσποινα", "despoina")]
EL_M = [("Γιώργος", "giorgos"), ("Γιάννης", "giannis"), ("Κώστας", "kostas"),
        ("Δημήτρης", "dimitris"), ("Νίκος", "nikos"), ("Παναγιώτης", "panagiotis"),
        ("Βασίλης", "vasilis"), ("Χρήστος", "christos"), ("Αθανάσιος", "athanasios"),
        ("Μιχάλης", "michalis"), ("Σπύρος", "spyros"), ("Άγγελος", "angelos")]
EL_L = [("Παπαδόπουλος", "Παπαδοπούλου", "papadopoulos"),
        ("Παπαδάκης", "Παπαδάκη", "papadakis"), ("Γεωργίου", "Γεωργίου", "georgiou"),
        ("Οικονόμου", "Οικονόμου", "oikonomou"), ("Παππάς", "Παππά", "pappas"),
        ("Βασιλείου", "Βασιλείου", "vasileiou"), ("Νικολάου", "Νικολάου", "nikolaou"),
        ("Καραγιάννης", "Καραγιάννη", "karagiannis"), ("Μακρής", "Μακρή", "makris"),
        ("Αθανασίου", "Αθανασίου", "athanasiou"), ("Δημητρίου", "Δημητρίου", "dimitriou"),
        ("Ιωάννου", "Ιωάννου", "ioannou"), ("Αλεξίου", "Αλεξίου", "alexiou")]

# locale -> [(timezone, weight, [cities])]
ZONES = {
    "en": [("Europe/London", 0.40, ["London", "Manchester", "Bristol", "Leeds", "Edinburgh",
                                    "Brighton"]),
           ("America/New_York", 0.30, ["New York", "Boston", "Philadelphia", "Burlington"]),
           ("America/Los_Angeles", 0.15, ["Los Angeles", "San Francisco", "Seattle",
                                          "San Diego"]),
           ("Europe/Berlin", 0.15, ["Berlin", "Munich", "Hamburg", "Frankfurt am Main"])],
    "ru": [("Europe/Moscow", 0.80, ["Москва", "Санкт-Петербург", "Казань", "Нижний Новгород"]),
           ("Asia/Yekaterinburg", 0.20, ["Екатеринбург", "Челябинск", "Пермь", "Тюмень"])],
    "el": [("Europe/Athens", 0.90, ["Αθήνα", "Θεσσαλονίκη", "Πάτρα", "Ηράκλειο"]),
           ("Europe/Berlin", 0.10, ["Berlin", "Munich", "Stuttgart"])],
}
# A few customers type their city with a district or state: "X, Y" (quoted in CSV).
COMMA_CITIES = {"Europe/London": ["Richmond, London", "Kew, Richmond"],
                "America/New_York": ["Brooklyn, NY", "Portland, ME"],
                "America/Los_Angeles": ["Portland, OR", "Santa Monica, CA"],
                "Europe/Moscow": ["Пушкин, Санкт-Петербург"],
                "Asia/Yekaterinburg": ["Верхняя Пышма, Свердловская область"],
                "Europe/Athens": ["Κηφισιά, Αθήνα"],
                "Europe/Berlin": ["Potsdam, Brandenburg"]}
TZ_NAMES = ["Europe/London", "America/New_York", "America/Los_Angeles", "Europe/Moscow",
            "Asia/Yekaterinburg", "Europe/Athens", "Europe/Berlin"]
# Fixed offsets used only if the system has no time-zone database.
TZ_FALLBACK = {"Europe/London": 0, "America/New_York": -5, "America/Los_Angeles": -8,
               "Europe/Moscow": 3, "Asia/Yekaterinburg": 5, "Europe/Athens": 2,
               "Europe/Berlin": 1}
DOMAINS = ["example.com", "example.com", "example.org", "example.net"]

LOYAL, SEMI, LATENT, NON, NEW = 0, 1, 2, 3, 4
TYPE_CUM = [0.15, 0.40, 0.70, 0.98, 1.0]

# unsubscribe fates
F_NONE, F_OFF_EVENT, F_OFF_ONLY, F_ON_EVENT = 0, 1, 2, 3


def csvq(s):
    """RFC 4180 quoting, only where needed."""
    if "," in s or '"' in s or "\n" in s or "\r" in s:
        return '"' + s.replace('"', '""') + '"'
    return s


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, help="output directory (created if missing)")
    p.add_argument("--customers", type=int, default=2000)
    p.add_argument("--order-lines", type=int, default=10000)
    p.add_argument("--events", type=int, default=20000)
    p.add_argument("--end", default="2026-11-20", help="end date (exclusive), YYYY-MM-DD")
    p.add_argument("--years", type=float, default=2.0, help="years of history before --end")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--quiet", action="store_true")
    a = p.parse_args(argv)
    if a.customers < 1 or a.order_lines < 0 or a.events < 0:
        p.error("sizes must be positive")
    return a


class Clock:
    """Fast ISO 8601 formatting of epoch seconds in one of TZ_NAMES."""

    def __init__(self, t_lo, t_hi):
        self.t0 = t_lo - (t_lo % DAY) - 2 * DAY  # midnight UTC, with margin
        hours = (t_hi - self.t0) // 3600 + 72
        try:
            from zoneinfo import ZoneInfo
            zones = [ZoneInfo(n) for n in TZ_NAMES]
        except Exception:  # pragma: no cover - no tz database
            zones = None
            print("warning: no time-zone database; using fixed offsets", file=sys.stderr)
        self.off = []  # per zone: array of offset seconds per hour since t0
        self.ostr = []  # per zone: list of offset strings per hour since t0
        cache = {}
        for zi, name in enumerate(TZ_NAMES):
            offs = array("l")
            strs = []
            for h in range(hours):
                if zones is None:
                    o = TZ_FALLBACK[name] * 3600
                else:
                    t = _dt.datetime.fromtimestamp(self.t0 + h * 3600, zones[zi])
                    o = int(t.utcoffset().total_seconds())
                offs.append(o)
                s = cache.get(o)
                if s is None:
                    sign = "+" if o >= 0 else "-"
                    a = abs(o)
                    s = "%s%02d:%02d" % (sign, a // 3600, (a % 3600) // 60)
                    cache[o] = s
                strs.append(s)
            self.off.append(offs)
            self.ostr.append(strs)
        base = _dt.date(1970, 1, 1) + _dt.timedelta(days=self.t0 // DAY)
        ndays = hours // 24 + 3
        self.days = [(base + _dt.timedelta(days=d)).isoformat() + "T" for d in range(ndays)]
        self.hm = ["%02d:%02d:" % (m // 60, m % 60) for m in range(1440)]
        self.ss = ["%02d" % s for s in range(60)]

    def fmt(self, ts, zi):
        h = (ts - self.t0) // 3600
        o = self.off[zi][h]
        d, s = divmod(ts + o - self.t0, DAY)
        m, s = divmod(s, 60)
        return self.days[d] + self.hm[m] + self.ss[s] + self.ostr[zi][h]

    def fmt_utc(self, ts):
        d, s = divmod(ts - self.t0, DAY)
        m, s = divmod(s, 60)
        return self.days[d] + self.hm[m] + self.ss[s] + "+00:00"

    def local_day_start(self, ts, zi):
        """(epoch of local midnight of ts, offset) in zone zi."""
        o = self.off[zi][(ts - self.t0) // 3600]
        l = ts + o
        return l - (l % DAY) - o


def window(end_s, years):
    end = _dt.date.fromisoformat(end_s)
    if float(years).is_integer():
        y = int(years)
        try:
            start = end.replace(year=end.year - y)
        except ValueError:  # 29 February
            start = end.replace(year=end.year - y, day=28)
    else:
        start = end - _dt.timedelta(days=round(years * 365.25))
    ep = _dt.date(1970, 1, 1)
    return (start - ep).days * DAY, (end - ep).days * DAY, start, end


class Writer:
    def __init__(self, path, header):
        self.f = open(path, "w", encoding="utf-8", newline="\n")
        self.buf = [header + "\n"]
        self.n = 0

    def add(self, s):
        self.buf.append(s)
        if len(self.buf) >= 65536:
            self.f.write("".join(self.buf))
            self.buf = []

    def close(self):
        self.f.write("".join(self.buf))
        self.f.close()


def generate(a):
    t_start = time.time()
    log = (lambda *x: None) if a.quiet else (lambda *x: print(*x, file=sys.stderr, flush=True))
    rng = random.Random(a.seed)
    r = rng.random
    H, E, start_date, end_date = window(a.end, a.years)
    W = (E - H) / DAY  # window length, days
    clock = Clock(H - 5 * DAY, E + 2 * DAY)
    os.makedirs(a.out, exist_ok=True)
    N = a.customers

    def uni(lo, hi):
        return lo + (hi - lo) * r()

    def daytime(ts, zi):
        """Move ts to a plausible local time of day (07:00-23:00) on its local day."""
        return clock.local_day_start(ts, zi) + 25200 + int(r() * 57600)

    # ---------------------------------------------------------- customers --
    # Pass 1: behaviour parameters (in draw order), then sort by created_at so
    # that customer ids increase with sign-up time, like a real shop export.
    ctype = bytearray(N)
    czone = bytearray(N)
    clocale = bytearray(N)  # 0 en, 1 ru, 2 el
    created = [0] * N
    first = [0] * N   # first order epoch, 0 = never
    mu = [0.0] * N    # mean interval (days)
    stop = [0] * N    # no order at or after this epoch
    zone_idx = {n: i for i, n in enumerate(TZ_NAMES)}
    zone_cum = {}
    for loc, lst in ZONES.items():
        c = 0.0
        cum = []
        for name, w, cities in lst:
            c += w
            cum.append((c, zone_idx[name], cities))
        zone_cum[loc] = cum
    locs = ["en", "ru", "el"]
    zone_cities = {(li, zi): cl for li, loc in enumerate(locs) for _, zi, cl in zone_cum[loc]}
    lo_hist = H + DAY
    for i in range(N):
        x = r()
        t = 0
        while x >= TYPE_CUM[t]:
            t += 1
        ctype[i] = t
        x = r()
        li = 0 if x < 0.60 else (1 if x < 0.85 else 2)
        clocale[i] = li
        x = r()
        for c, zi, _ in zone_cum[locs[li]]:
            if x < c:
                break
        czone[i] = zi
        if t == NON:
            cr = daytime(int(uni(H, E - DAY)), zi)
            created[i] = cr + DAY if cr < H else cr
            continue
        if t == LOYAL:
            f0 = uni(H, E - max(30, W * 0.08) * DAY)
            mu[i] = uni(20, 45)
            if r() < 0.25 and f0 < E - 200 * DAY:
                stop[i] = int(uni(max(f0 + 60 * DAY, E - 400 * DAY), E - 90 * DAY))
            else:
                stop[i] = E
        elif t == SEMI:
            f0 = uni(H, E - max(30, W * 0.12) * DAY)
            mu[i] = uni(60, 120)
            if r() < 0.15 and f0 < E - 300 * DAY:
                stop[i] = int(uni(f0 + 120 * DAY, E - 150 * DAY))
            else:
                stop[i] = E
        elif t == LATENT:
            f0 = uni(H, max(H + DAY, E - max(60, W * 0.33) * DAY))
            gap = uni(20, 150)
            if r() < 0.45 and f0 + gap * DAY < E - 180 * DAY:
                mu[i] = gap
                stop[i] = int(f0 + (gap + 2) * DAY)
            else:
                mu[i] = 0.0
                stop[i] = int(f0) + 1
        else:  # NEW
            f0 = uni(max(H, E - 30 * DAY), E - 3600)
            mu[i] = uni(10, 25)
            stop[i] = E
        f0 = daytime(int(f0), zi)
        if f0 >= E:
            f0 -= DAY
        if f0 < lo_hist:
            f0 += DAY
        first[i] = f0
        x = r()
        if x < 0.45:
            cr = f0 - 120 - int(r() * 1800)  # signed up at checkout
        elif t == NEW:
            cr = f0 - int(r() * 15 * DAY)
        else:
            cr = f0 - int(rng.expovariate(1 / 25.0) * DAY)
        if cr < H:
            cr = H + int(r() * (f0 - H))
        created[i] = cr
        if t == NEW:
            created[i] = max(created[i], E - 45 * DAY)
        if created[i] > f0:
            created[i] = f0 - 60
    order = sorted(range(N), key=created.__getitem__)
    ctype = bytearray(ctype[j] for j in order)
    czone = bytearray(czone[j] for j in order)
    clocale = bytearray(clocale[j] for j in order)
    created = [created[j] for j in order]
    first = [first[j] for j in order]
    mu = [mu[j] for j in order]
    stop = [stop[j] for j in order]
    del order

    # Pass 2: identity and attributes; write customers.csv.
    idw = max(5, len(str(N)))
    cids = ["C%0*d" % (idw, i + 1) for i in range(N)]
    emod = 10 ** (len(str(N)) + 1)
    fav = array("h", bytes(2 * N))
    fate = bytearray(N)
    p_open = array("f", bytes(4 * N))
    p_click = array("f", bytes(4 * N))
    roast_products = {ro: [k for k, p in enumerate(PRODUCTS) if p[4] == ro] for ro in ROASTS}
    tea_products = [k for k, p in enumerate(PRODUCTS) if p[2] == "tea"]
    roast_cum = []
    c = 0.0
    for ro, w in zip(ROASTS, ROAST_WEIGHTS):
        c += w
        roast_cum.append((c, ro))
    wr = Writer(os.path.join(a.out, "customers.csv"),
                "id,email,first_name,last_name,locale,timezone,subscribed,created_at,city,favorite_roast")
    add = wr.add
    n_off = 0
    for i in range(N):
        li = clocale[i]
        female = r() < 0.55
        if li == 0:
            fn = (EN_F if female else EN_M)[int(r() * 25)]
            ln = EN_L[int(r() * len(EN_L))]
            fl, ll = fn.lower(), ln.lower().replace("'", "")
        elif li == 1:
            fn, fl = (RU_F if female else RU_M)[int(r() * 16)]
            lm, lf, ll = RU_L[int(r() * len(RU_L))]
            ln = lf if female else lm
            if female:
                ll += "a"
        else:
            fn, fl = (EL_F if female else EL_M)[int(r() * 12)]
            lm, lf, ll = EL_L[int(r() * len(EL_L))]
            ln = lf if female else lm
        num = (7919 * i + 4271) % emod
        x = r()
        if x < 0.55:
            local = "%s.%s.%d" % (fl, ll, num)
        elif x < 0.75:
            local = "%s%s%d" % (fl, ll, num)
        elif x < 0.90:
            local = "%s.%s%d" % (fl[0], ll, num)
        else:
            local = "%s_%d" % (ll, num)
        email = local + "@" + DOMAINS[int(r() * 4)]
        if r() < 0.01:
            email = email[0].upper() + email[1:]  # messy, still unique ignoring case
        if r() < 0.03:
            fn = ""
        zi = czone[i]
        cities = zone_cities[li, zi]
        x = r()
        if x < 0.02:
            city = ""
        elif x < 0.04:
            cl = COMMA_CITIES[TZ_NAMES[zi]]
            city = cl[int(r() * len(cl))]
        else:
            city = cities[int(r() * len(cities))]
        x = r()
        roast = ""
        for cc, ro in roast_cum:
            if x < cc:
                roast = ro
                break
        if roast:
            lst = roast_products[roast]
        else:
            lst = tea_products
        fav[i] = lst[int(r() * len(lst))]
        t = ctype[i]
        if r() < 0.25:
            po = 0.0  # never opens anything
        elif t == LOYAL:
            po = uni(0.30, 0.75)
        elif t == NEW:
            po = uni(0.30, 0.60)
        elif t == SEMI:
            po = uni(0.15, 0.45)
        else:
            po = uni(0.04, 0.28)
        p_open[i] = po
        p_click[i] = uni(0.12, 0.32) if t in (LOYAL, NEW) else uni(0.05, 0.20)
        x = r()
        if x < 0.075:
            fs = F_OFF_EVENT
        elif x < 0.085:
            fs = F_OFF_ONLY
        elif x < 0.165:
            fs = F_ON_EVENT
        elif x < 0.200:
            fs = 4  # bad address: hard-bounces on the first send
        else:
            fs = F_NONE
        fate[i] = fs
        sub = "false" if fs in (F_OFF_EVENT, F_OFF_ONLY) else "true"
        n_off += sub == "false"
        add("%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n" % (
            cids[i], email, csvq(fn), csvq(ln), locs[li], TZ_NAMES[zi], sub,
            clock.fmt(created[i] - created[i] % 60, zi), csvq(city), roast))
    wr.close()
    log("customers.csv: %d rows (%.1fs)" % (N, time.time() - t_start))

    # -------------------------------------------------------------- orders --
    t1 = time.time()
    L = a.order_lines
    ml_loyal = 1.30
    ml_other = 1.63
    # Calibrate the interval scale f so that the expected number of lines is L.
    var_idx = [i for i in range(N) if ctype[i] in (LOYAL, SEMI)]
    fixed = 0.0
    for i in range(N):
        t = ctype[i]
        if t == LATENT:
            fixed += (2 if mu[i] > 0 else 1) * ml_other
        elif t == NEW:
            fixed += 1.1 * ml_other
    step = max(1, len(var_idx) // 20000)
    sample = var_idx[::step]
    spans = [((stop[i] - first[i]) / DAY, mu[i], ml_loyal if ctype[i] == LOYAL else ml_other)
             for i in sample]
    scale = len(var_idx) / max(1, len(sample))

    def expected(fac):
        s = 0.0
        for sp, m, ml in spans:
            s += max(1.0, 0.5 + sp * fac / m) * ml
        return fixed + s * scale

    lo, hi = 0.02, 60.0
    for _ in range(40):
        mid = (lo * hi) ** 0.5
        if expected(mid) < L:
            lo = mid
        else:
            hi = mid
    fac = (lo * hi) ** 0.5
    mu_s = [m / fac if ctype[i] in (LOYAL, SEMI) else m for i, m in enumerate(mu)]

    # Simulate all customers' purchase timelines in time order with a heap.
    shift = max(1, N.bit_length())
    mask = (1 << shift) - 1
    heap = [(first[i] << shift) | i for i in range(N) if first[i]]
    heapq.heapify(heap)
    ord_ts = array("q")
    ord_c = array("l")
    pop, push = heapq.heappop, heapq.heappush
    gauss = rng.gauss
    ts_app, c_app = ord_ts.append, ord_c.append
    while heap:
        k = pop(heap)
        c = k & mask
        ts = k >> shift
        ts_app(ts)
        c_app(c)
        m = mu_s[c]
        if m <= 0:
            continue
        t = ctype[c]
        if t == LOYAL:
            iv = m * (1.0 + 0.12 * gauss(0.0, 1.0))
            if iv < 0.5 * m:
                iv = 0.5 * m
        elif t == LATENT:
            iv = m
        else:
            iv = m * (0.65 + 0.7 * r())
        if iv < 1.0:
            iv = 1.0
        nxt = ts + int(iv * DAY)
        if nxt >= stop[c] or nxt >= E:
            continue
        nxt = daytime(nxt, czone[c])
        if nxt <= ts:
            nxt = ts + 3600
        if nxt < stop[c] and nxt < E:
            push(heap, (nxt << shift) | c)
    O = len(ord_ts)
    # Line counts per order, summing to exactly L.
    if O > L:
        keep = sorted(rng.sample(range(O), L)) if L else []
        ord_ts = array("q", (ord_ts[k] for k in keep))
        ord_c = array("l", (ord_c[k] for k in keep))
        O = L
        print("warning: too few order lines for the customer base; orders thinned",
              file=sys.stderr)
    nlines = bytearray(O)
    total = 0
    for k in range(O):
        x = r()
        if ctype[ord_c[k]] == LOYAL:
            n = 1 if x < 0.76 else (2 if x < 0.95 else (3 if x < 0.99 else 4))
        else:
            n = 1 if x < 0.55 else (2 if x < 0.85 else (3 if x < 0.97 else 4))
        nlines[k] = n
        total += n
    if L > 4 * O:
        print("warning: %d order lines requested but at most %d fit" % (L, 4 * O),
              file=sys.stderr)
        L = 4 * O
    while total != L:
        k = int(r() * O)
        if total < L and nlines[k] < 4:
            nlines[k] += 1
            total += 1
        elif total > L and nlines[k] > 1:
            nlines[k] -= 1
            total -= 1

    # Product pools (indices into PRODUCTS, repeated by weight).
    cat_of = [p[2] for p in PRODUCTS]

    def pool(weights):
        out = []
        for k, cat in enumerate(cat_of):
            out.extend([k] * weights[cat])
        return out

    pool_reg = pool({"coffee": 10, "tea": 7, "equipment": 2, "accessories": 5, "gifts": 2})
    pool_xmas = pool({"coffee": 8, "tea": 6, "equipment": 3, "accessories": 4, "gifts": 12})
    pool_latent = pool({"coffee": 8, "tea": 6, "equipment": 4, "accessories": 4, "gifts": 7})
    # Pre-rendered line tails for quantity 1..4.
    tails = []
    for sku, name, cat, cents, _ in PRODUCTS:
        row = []
        for q in range(0, 5):
            amt = cents * q
            row.append(",%s,%s,%s,%d,%d.%02d,EUR\n" % (sku, csvq(name), cat, q, amt // 100, amt % 100))
        tails.append(row)
    qty_coffee = [1] * 14 + [2] * 5 + [3]
    qty_tea = [1] * 16 + [2] * 4
    qty_other = [1] * 18 + [2] * 2
    qty_for = [qty_coffee if cat == "coffee" else (qty_tea if cat == "tea" else qty_other)
               for cat in cat_of]
    xmas_lo = {}
    owid = max(7, len(str(O)))
    wr = Writer(os.path.join(a.out, "orders.csv"),
                "order_id,customer_id,ordered_at,sku,product,category,quantity,amount,currency")
    add = wr.add
    fmt = clock.fmt
    t0c = clock.t0
    days = clock.days
    for k in range(O):
        c = ord_c[k]
        ts = ord_ts[k]
        head = "O%0*d,%s,%s" % (owid, k + 1, cids[c], fmt(ts, czone[c]))
        t = ctype[c]
        month = days[(ts - t0c) // DAY][5:7]
        if t == LATENT:
            pl = pool_latent
        elif month in ("11", "12"):
            pl = pool_xmas
        else:
            pl = pool_reg
        npl = len(pl)
        n = nlines[k]
        chosen = []
        for j in range(n):
            if j == 0 and (t == LOYAL or (t != LATENT and r() < 0.5)):
                p = fav[c]
            else:
                p = pl[int(r() * npl)]
                tries = 0
                while p in chosen and tries < 8:
                    p = pl[int(r() * npl)]
                    tries += 1
                if p in chosen:
                    p = next(q for q in range(len(PRODUCTS)) if q not in chosen)
            chosen.append(p)
            qs = qty_for[p]
            add(head + tails[p][qs[int(r() * len(qs))]])
    wr.close()
    log("orders.csv: %d orders, %d lines (interval scale %.3f, %.1fs)"
        % (O, L, fac, time.time() - t1))
    del ord_ts, ord_c, nlines

    # -------------------------------------------------------------- events --
    t2 = time.time()
    campaigns = campaign_list(start_date, end_date, H, E)
    NE = a.events
    wr = Writer(os.path.join(a.out, "events.csv"), "customer_id,type,at,campaign,url")
    add = wr.add
    fmtu = clock.fmt_utc
    state = bytearray(N)  # 0 ok, 1 unsubscribed, 2 bounced, 3 complained
    for i in range(N):
        if fate[i] == F_OFF_ONLY:
            state[i] = 1
    sends = [0] * N
    weights = []
    for slug, ts, share, _ in campaigns:
        weights.append(share * bisect.bisect_left(created, ts))
    remaining = NE
    wsum = sum(weights)
    written = 0
    skus = [p[0].lower() for p in PRODUCTS]
    for ci, (slug, cts, share, paths) in enumerate(campaigns):
        budget = int(round(remaining * weights[ci] / wsum)) if wsum > 0 else remaining
        if ci == len(campaigns) - 1:
            budget = remaining
        wsum -= weights[ci]
        if budget <= 0:
            continue
        ncr = bisect.bisect_left(created, cts)
        elig = [i for i in range(ncr) if state[i] == 0]
        rng.shuffle(elig)
        used = 0
        utm = "?utm_source=hookline&utm_medium=email&utm_campaign=" + slug
        for c in elig:
            if used >= budget:
                break
            cid = cids[c]
            left = budget - used
            d = cts + int(r() * 5400)
            fs = fate[c]
            sends[c] += 1
            if (fs == 4 and sends[c] == 1) or r() < 0.001:
                add("%s,bounce,%s,%s,\n" % (cid, fmtu(d), slug))
                used += 1
                if fs == 4:
                    state[c] = 2
                continue
            rows = ["%s,delivered,%s,%s,\n" % (cid, fmtu(d), slug)]
            last = d
            if r() < p_open[c]:
                o = d + 60 + int(rng.expovariate(1 / 28800.0))
                if o < E and o < d + 12 * DAY:
                    rows.append("%s,open,%s,%s,\n" % (cid, fmtu(o), slug))
                    last = o
                    if r() < p_click[c]:
                        ck = o + 5 + int(r() * 600)
                        if ck < E:
                            x = r()
                            if x < 0.5:
                                url = "https://shop.example.com/" + paths[0]
                            else:
                                url = "https://shop.example.com/products/" + skus[int(r() * len(skus))]
                            rows.append("%s,click,%s,%s,%s\n" % (cid, fmtu(ck), slug, url + utm))
                            last = ck
            if (fs == F_OFF_EVENT or fs == F_ON_EVENT) and r() < 0.35:
                u = last + 20 + int(r() * 900)
                if u < E:
                    rows.append("%s,unsubscribe,%s,%s,\n" % (cid, fmtu(u), slug))
                    state[c] = 1
            elif r() < 0.001:
                u = last + 30 + int(r() * 3600)
                if u < E:
                    rows.append("%s,complaint,%s,%s,\n" % (cid, fmtu(u), slug))
                    state[c] = 3
            if len(rows) > left:
                rows = rows[:left]  # still a valid prefix: delivered [open [click]]
            for s in rows:
                add(s)
            used += len(rows)
        remaining -= used
        written += used
    wr.close()
    if remaining > 0:
        print("warning: audience too small: wrote %d of %d events" % (written, NE), file=sys.stderr)
    log("events.csv: %d rows, %d campaigns (%.1fs)" % (written, len(campaigns), time.time() - t2))
    log("total %.1fs" % (time.time() - t_start))
    return {"customers": N, "orders": O, "order_lines": L, "events": written,
            "subscribed_false": n_off, "interval_scale": fac}


PROMOS = [  # (month, day, slug stem, audience share, landing path)
    (1, 8, "new-year-tea", 0.5, "collections/tea"),
    (2, 6, "valentines-gifts", 0.5, "collections/gifts"),
    (4, 14, "spring-harvest", 0.6, "collections/coffee"),
    (6, 18, "summer-cold-brew", 0.5, "blog/cold-brew-at-home"),
    (9, 17, "autumn-roasts", 0.6, "collections/coffee"),
    (11, 27, "black-friday", 0.9, "collections/sale"),
    (12, 9, "christmas-gifts", 0.7, "collections/gifts"),
]


def campaign_list(start_date, end_date, H, E):
    """(slug, send epoch, audience share, [landing path]) in send order."""
    out = []
    ep = _dt.date(1970, 1, 1)
    y, m = start_date.year, start_date.month
    while (y, m) <= (end_date.year, end_date.month):
        d = _dt.date(y, m, 5)
        ts = (d - ep).days * DAY + 8 * 3600
        if H <= ts < E - DAY:
            out.append(("newsletter-%04d-%02d" % (y, m), ts, 1.0,
                        ["blog/brew-notes-%04d-%02d" % (y, m)]))
        for pm, pd, stem, share, path in PROMOS:
            if pm == m:
                d = _dt.date(y, m, pd)
                ts = (d - ep).days * DAY + 9 * 3600
                if H <= ts < E - DAY:
                    out.append(("%s-%04d" % (stem, y), ts, share, [path]))
        m += 1
        if m == 13:
            y, m = y + 1, 1
    out.sort(key=lambda c: c[1])
    return out


def main(argv=None):
    a = parse_args(argv)
    info = generate(a)
    if not a.quiet:
        print("wrote %s: %d customers, %d orders / %d order lines, %d events"
              % (a.out, info["customers"], info["orders"], info["order_lines"], info["events"]),
              file=sys.stderr)


if __name__ == "__main__":
    main()
