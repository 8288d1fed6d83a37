import { performance } from "node:perf_hooks";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import postgres from "postgres";
import { hashPassword } from "../app/auth/password.server";
import { connect } from "../db/connect";
import * as text from "./content";
import {
  BENCH_PASSWORD,
  checkDatabaseName,
  clientEmail,
  COACHES,
  databaseUrl,
  FIRST_CLIENT,
  KIND,
  LONG_THREAD_POSTS,
  PERSONAS,
  SEED_MARK,
  SIZES,
  staffEmail,
} from "./dataset";
import { apportion, rng, uuidFor, type Random } from "./prng";

// The benchmark's practice: `npm run bench:seed -- <database> [--force] [--keep-indexes]`.
//
// Creates the database on the benchmark server (see dataset.ts), applies the migrations and
// fills it with a practice generated from a fixed seed: 50 staff, 5,000 clients each with a
// case, 60,000 plan steps, 100,000 questions with 1,000,000 posts, 250,000 check-ins, plus
// the notifications, read marks and audit rows that activity leaves behind. Activity is skewed
// (a few cases and one coach are very busy, most are quiet) and spread over two years up to the
// current hour, so "overdue" and "waiting" mean what they would in a real practice. Same seed,
// same practice (timestamps are relative to when it runs).
//
// Rows are generated in memory in two passes (first the shape of every thread and post, then
// their text while streaming) and loaded with COPY, with foreign-key triggers off for the
// session when the role may do that and the secondary indexes built once at the end.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Math.floor(Date.now() / HOUR) * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();
const day = (ms: number) => iso(ms).slice(0, 10);

const args = process.argv.slice(2);
const force = args.includes("--force");
const keepIndexes = args.includes("--keep-indexes");

// ---------------------------------------------------------------------------------------------
// Pass 1: the shape of the practice

const PRACTITIONERS = SIZES.staff - 1; // users 1..49
const CLIENTS = SIZES.clients;
const STATUS_SHARES: [string, number][] = [
  ["intake", 0.06],
  ["active", 0.58],
  ["paused", 0.1],
  ["closed", 0.26],
];
const CATEGORIES = ["trust_repair", "communication", "separation", "other"] as const;
const CADENCES = [7, 7, 7, 7, 7, 7, 14, 14, 3, 10];
const SHARED = 0;
const INTERNAL = 1;
const THREAD_STATUS = ["awaiting_staff", "awaiting_client", "closed"] as const;
const RULES = [
  { ruleId: "self_harm", label: "Self-harm" },
  { ruleId: "violence", label: "Violence or threats" },
  { ruleId: "abuse", label: "Abuse or coercion" },
];

function cumulative(weights: number[]) {
  const out = new Float64Array(weights.length);
  let sum = 0;
  weights.forEach((w, i) => (out[i] = sum += w));
  return out;
}

function buildPractice() {
  const r = rng(20_240_601);

  // People. Coaches are users 1–30, therapists 31–49; the admin is user 0.
  const userNames: string[] = [];
  for (let u = 0; u < SIZES.staff + CLIENTS; u++) userNames.push(`${r.pick(text.FIRST_NAMES)} ${r.pick(text.LAST_NAMES)}`);

  // Who leads: a power law over practitioners, so coach01 carries far more cases than most.
  const leadWeights = cumulative(Array.from({ length: PRACTITIONERS }, (_, j) => (j + 2) ** -0.8));
  const statusWeights = cumulative(STATUS_SHARES.map(([, w]) => w));

  // Activity rank: case 0 (the busy client's) is the busiest, the rest in random order.
  const ranks = r.shuffle(Array.from({ length: CLIENTS - 1 }, (_, i) => i + 1));
  const cases = Array.from({ length: CLIENTS }, (_, k) => {
    const status = k === 0 ? "active" : STATUS_SHARES[r.weighted(statusWeights)]![0];
    const openedAt =
      k === 0 ? NOW - 700 * DAY : status === "intake" ? NOW - r.int(1, 30) * DAY - r.int(0, 23) * HOUR : NOW - r.int(30, 730) * DAY - r.int(0, 23) * HOUR;
    const closedAt = status === "closed" ? openedAt + r.int(30, Math.max(30, Math.floor((NOW - DAY - openedAt) / DAY))) * DAY : null;
    const lead = k === 0 ? 1 : 1 + r.weighted(leadWeights);
    const supports: number[] = [];
    const supportCount = r.chance(0.5) ? 0 : r.chance(0.8) ? 1 : 2;
    while (supports.length < supportCount) {
      const s = r.int(1, PRACTITIONERS);
      if (s !== lead && !supports.includes(s)) supports.push(s);
    }
    return {
      index: k,
      client: FIRST_CLIENT + k,
      rank: k === 0 ? 0 : ranks[k - 1]!,
      status,
      openedAt,
      closedAt,
      end: closedAt ?? NOW,
      cadence: k === 0 ? 7 : r.pick(CADENCES),
      lead,
      supports,
      title: r.pick(text.CASE_TITLES),
      category: r.pick(CATEGORIES),
      concern: r.pick(text.CONCERNS),
      lastActivity: openedAt,
      flagged: false,
    };
  });

  // Questions per case: a power law on the activity rank, damped for short-lived cases; every
  // case has at least one. Thread 0 (200 posts) is an extra one on case 0.
  const lifetime = (c: (typeof cases)[number]) => Math.min(1, (c.end - c.openedAt) / (365 * DAY));
  const threadsPerCase = apportion(
    cases.map((c) => (c.rank + 20) ** -0.9 * (0.2 + 0.8 * lifetime(c))),
    SIZES.threads - 1,
    1,
  );
  threadsPerCase[0] = threadsPerCase[0]! + 1;
  const checkInsPerCase = apportion(
    cases.map((c) => ((c.rank + 50) ** -0.5 * ((c.end - c.openedAt) / (730 * DAY)) * 7) / c.cadence),
    SIZES.checkIns,
    0,
  );

  // Posts per thread: log-normal, at least one (the question itself).
  const postWeights = Array.from({ length: SIZES.threads - 1 }, () => Math.exp(0.9 * r.normal()));
  const postsPerThread = new Int32Array(SIZES.threads);
  postsPerThread[0] = LONG_THREAD_POSTS;
  postsPerThread.set(apportion(postWeights, SIZES.posts - LONG_THREAD_POSTS, 1), 1);

  const T = SIZES.threads;
  const threads = {
    caseIndex: new Int32Array(T),
    createdAt: new Float64Array(T),
    postStart: new Int32Array(T),
    postCount: postsPerThread,
    status: new Uint8Array(T),
    urgent: new Uint8Array(T),
    flaggedPost: new Int32Array(T).fill(-1),
    flagClearedAt: new Float64Array(T).fill(NaN),
    assignee: new Int32Array(T).fill(-1),
    firstResponseAt: new Float64Array(T).fill(NaN),
    waitingSince: new Float64Array(T).fill(NaN),
    lastActivityAt: new Float64Array(T),
    closedAt: new Float64Array(T).fill(NaN),
    lastStaffPostAt: new Float64Array(T).fill(NaN),
    title: new Uint8Array(T),
  };
  const P = SIZES.posts;
  const posts = { time: new Float64Array(P), author: new Int32Array(P), parent: new Int32Array(P), visibility: new Uint8Array(P) };

  let t = 0;
  let p = 0;
  for (const c of cases) {
    const team = [c.lead, ...c.supports];
    const staffAuthor = () => (c.supports.length && r.chance(0.3) ? r.pick(c.supports) : c.lead);
    for (let n = 0; n < threadsPerCase[c.index]!; n++, t++) {
      const count = postsPerThread[t]!;
      const span = c.end - c.openedAt;
      const createdAt = t === 0 ? NOW - 120 * DAY : c.openedAt + Math.floor(r.next() * span * 0.98);
      threads.caseIndex[t] = c.index;
      threads.createdAt[t] = createdAt;
      threads.postStart[t] = p;
      threads.title[t] = r.int(0, text.THREAD_TITLES.length - 1);

      // Times: exponential gaps (about 18 hours), squeezed to fit before the case ended.
      const gaps = [0];
      let total = 0;
      for (let i = 1; i < count; i++) {
        const gap = r.exponential(18 * HOUR);
        gaps.push(gap);
        total += gap;
      }
      const room = c.end - createdAt - count * 1000 - 60_000;
      const squeeze = total > room ? Math.max(0, room) / total : 1;

      // Authors: the client asks; staff answer; both follow up; now and then an internal note.
      let time = createdAt;
      let lastSharedAuthorIsClient = true;
      let lastShared = p;
      const shared: number[] = [];
      let firstResponse = NaN;
      let lastStaffShared = NaN;
      let waitingFrom = NaN;
      let lastStaffAny = NaN;
      for (let i = 0; i < count; i++, p++) {
        time = i === 0 ? createdAt : time + 1000 + Math.floor(gaps[i]! * squeeze);
        posts.time[p] = time;
        if (i === 0) {
          posts.author[p] = c.client;
          posts.parent[p] = -1;
          posts.visibility[p] = SHARED;
          shared.push(p);
          waitingFrom = time;
          continue;
        }
        const roll = r.next();
        const internal = roll < 0.1;
        const client = !internal && (lastSharedAuthorIsClient ? roll < 0.25 : roll < 0.8);
        posts.author[p] = client ? c.client : staffAuthor();
        posts.visibility[p] = internal ? INTERNAL : SHARED;
        if (internal) {
          posts.parent[p] = r.chance(0.7) ? p - 1 : threads.postStart[t]!;
          lastStaffAny = time;
          continue;
        }
        const q = r.next();
        posts.parent[p] = q < 0.6 ? lastShared : q < 0.85 ? threads.postStart[t]! : shared[r.int(0, shared.length - 1)]!;
        shared.push(p);
        lastShared = p;
        if (client) {
          if (!lastSharedAuthorIsClient) waitingFrom = time;
          lastSharedAuthorIsClient = true;
        } else {
          if (Number.isNaN(firstResponse)) firstResponse = time;
          lastStaffShared = time;
          lastStaffAny = time;
          lastSharedAuthorIsClient = false;
        }
      }
      const lastPost = time;
      threads.firstResponseAt[t] = firstResponse;
      threads.lastStaffPostAt[t] = Number.isNaN(lastStaffAny) ? lastStaffShared : lastStaffAny;

      // Status follows the last shared post; old or finished questions are mostly closed.
      let status = lastSharedAuthorIsClient ? 0 : 1;
      const closes = c.closedAt !== null || (lastPost < NOW - 45 * DAY ? r.chance(0.9) || status === 0 : status === 1 && r.chance(0.1));
      let closedAt = NaN;
      if (closes && t !== 0) {
        status = 2;
        closedAt = Math.min(lastPost + r.int(1, 72) * HOUR, c.end);
        if (closedAt <= lastPost) closedAt = lastPost + 1000;
      }
      threads.status[t] = status;
      threads.closedAt[t] = closedAt;
      if (status === 0) threads.waitingSince[t] = waitingFrom;
      threads.lastActivityAt[t] = Number.isNaN(closedAt) ? lastPost : Math.max(lastPost, closedAt);
      if (r.chance(0.35)) threads.assignee[t] = r.pick(team);

      // About 1.5 % are flagged by screening at one of the client's posts; most flags on
      // answered questions have been looked at and cleared.
      if (r.chance(0.015)) {
        const clientPosts: number[] = [];
        for (let i = threads.postStart[t]!; i < p; i++) if (posts.author[i] === c.client) clientPosts.push(i);
        const at = r.pick(clientPosts);
        threads.flaggedPost[t] = at;
        if (status !== 0 && r.chance(0.6)) threads.flagClearedAt[t] = Math.min(NOW - 60_000, posts.time[at]! + r.int(1, 48) * HOUR);
        else {
          threads.urgent[t] = 1;
          c.flagged = c.status !== "closed";
        }
      }
      c.lastActivity = Math.max(c.lastActivity, threads.lastActivityAt[t]!);
    }
  }
  if (t !== SIZES.threads || p !== SIZES.posts) throw new Error(`generated ${t} threads and ${p} posts`);

  // Check-ins: spread over the case's life, in order.
  const checkIns = { caseIndex: new Int32Array(SIZES.checkIns), time: new Float64Array(SIZES.checkIns) };
  let ci = 0;
  for (const c of cases) {
    const m = checkInsPerCase[c.index]!;
    const times = Array.from({ length: m }, () => c.openedAt + DAY / 2 + Math.floor(r.next() * Math.max(HOUR, c.end - c.openedAt - DAY / 2)));
    times.sort((a, b) => a - b);
    for (const time of times) {
      checkIns.caseIndex[ci] = c.index;
      checkIns.time[ci++] = time;
      c.lastActivity = Math.max(c.lastActivity, time);
    }
  }

  // Plans: most cases have one or two, some three; intake cases rarely one yet. The 60,000 steps
  // are shared out over the plans in proportion to their templates' lengths.
  const plans: { caseIndex: number; template: number; assignedAt: number; archived: boolean; sequential: boolean }[] = [];
  for (const c of cases) {
    const n = c.status === "intake" ? (r.chance(0.3) ? 1 : 0) : c.index === 0 ? 2 : r.chance(0.55) ? 1 : r.chance(0.66) ? 2 : 3;
    let assignedAt = c.openedAt + r.int(1, 14) * DAY;
    for (let i = 0; i < n; i++) {
      assignedAt = Math.min(assignedAt, c.end - HOUR);
      plans.push({
        caseIndex: c.index,
        template: r.int(0, text.TEMPLATES.length - 1),
        assignedAt,
        archived: i < n - 1 && c.index !== 0 && r.chance(0.15),
        sequential: r.chance(0.3),
      });
      assignedAt += r.int(20, 90) * DAY;
    }
  }
  const stepsPerPlan = apportion(
    plans.map((pl) => text.TEMPLATES[pl.template]!.steps.length),
    SIZES.planSteps,
    2,
  );

  // Risk: an open case with an urgent question is on watch or urgent; a few more are watched.
  const risk = cases.map((c) => (c.flagged ? (r.chance(0.3) ? "urgent" : "watch") : c.status !== "closed" && r.chance(0.02) ? "watch" : "none"));

  return { userNames, cases, threads, posts, checkIns, plans, stepsPerPlan, risk };
}

type Practice = ReturnType<typeof buildPractice>;

// ---------------------------------------------------------------------------------------------
// Pass 2: rows, as COPY text

const SPECIAL = /[\\\t\n\r]/;
function field(value: unknown): string {
  if (value === null || value === undefined || (typeof value === "number" && Number.isNaN(value))) return "\\N";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  const s = typeof value === "string" ? value : JSON.stringify(value);
  if (!SPECIAL.test(s)) return s;
  return s.replace(/[\\\t\n\r]/g, (ch) => (ch === "\\" ? "\\\\" : ch === "\t" ? "\\t" : ch === "\n" ? "\\n" : "\\r"));
}
const ts = (ms: number) => (Number.isNaN(ms) ? null : iso(ms));

/** Batches rows into COPY text chunks (a few thousand lines each). */
function* copyChunks(rows: Iterable<unknown[]>): Generator<string> {
  let lines: string[] = [];
  for (const row of rows) {
    lines.push(row.map(field).join("\t"));
    if (lines.length === 2000) {
      yield lines.join("\n") + "\n";
      lines = [];
    }
  }
  if (lines.length) yield lines.join("\n") + "\n";
}

const userId = (u: number) => uuidFor(KIND.user, u);
const caseId = (k: number) => uuidFor(KIND.case, k);
const threadId = (t: number) => uuidFor(KIND.thread, t);
const postId = (p: number) => uuidFor(KIND.post, p);

function message(r: Random, lines: readonly string[], max: number) {
  const n = r.int(1, max);
  let body = r.pick(lines);
  for (let i = 1; i < n; i++) body += ` ${r.pick(lines)}`;
  if (r.chance(0.05)) body += r.pick(text.MARKDOWN_EXTRAS);
  return body;
}

function* userRows(pr: Practice, passwordHash: string) {
  for (let u = 0; u < SIZES.staff + CLIENTS; u++) {
    const role = u === 0 ? "admin" : u < FIRST_CLIENT ? (u <= COACHES ? "coach" : "therapist") : "client";
    const c = u >= FIRST_CLIENT ? pr.cases[u - FIRST_CLIENT]! : null;
    const createdAt = c ? c.openedAt - HOUR : NOW - 760 * DAY;
    // A few clients of closed cases have been deactivated.
    const deactivatedAt = c?.closedAt && u % 20 === 0 ? c.closedAt + DAY : null;
    const email = u < FIRST_CLIENT ? staffEmail(u) : clientEmail(u - FIRST_CLIENT);
    yield [userId(u), email, pr.userNames[u], role, passwordHash, iso(createdAt), deactivatedAt ? iso(deactivatedAt) : null];
  }
}

function* templateRows() {
  for (const [i, tpl] of text.TEMPLATES.entries()) {
    yield [uuidFor(KIND.template, i), tpl.title, tpl.summary, userId(0), iso(NOW - 750 * DAY), iso(NOW - 700 * DAY)];
  }
}

function* templateStepRows() {
  let n = 0;
  for (const [i, tpl] of text.TEMPLATES.entries()) {
    for (const [pos, step] of tpl.steps.entries()) {
      yield [uuidFor(KIND.templateStep, n++), uuidFor(KIND.template, i), pos + 1, step.title, step.guidance, step.days];
    }
  }
}

function* caseRows(pr: Practice, stepActivity: Float64Array) {
  for (const c of pr.cases) {
    const last = Math.max(c.lastActivity, stepActivity[c.index]!, c.closedAt ?? 0);
    yield [
      caseId(c.index),
      userId(c.client),
      c.title,
      c.category,
      c.concern,
      c.status,
      pr.risk[c.index],
      c.cadence,
      userId(c.lead),
      iso(c.openedAt),
      c.closedAt ? iso(c.closedAt) : null,
      c.closedAt ? "The work ended well; the couple keeps the weekly check-in on their own." : null,
      iso(last),
    ];
  }
}

function* memberRows(pr: Practice) {
  for (const c of pr.cases) {
    yield [caseId(c.index), userId(c.lead), "lead", userId(c.lead), iso(c.openedAt)];
    for (const s of c.supports) yield [caseId(c.index), userId(s), "support", userId(c.lead), iso(c.openedAt + 2 * DAY)];
  }
}

/** Plans and their steps; also records each case's latest step change (for last activity). */
function planRows(pr: Practice) {
  const r = rng(7_001);
  const planLines: unknown[][] = [];
  const stepLines: unknown[][] = [];
  const stepActivity = new Float64Array(CLIENTS);
  let stepIndex = 0;
  for (const [i, plan] of pr.plans.entries()) {
    const c = pr.cases[plan.caseIndex]!;
    const tpl = text.TEMPLATES[plan.template]!;
    const archivedAt = plan.archived ? Math.min(plan.assignedAt + r.int(20, 60) * DAY, c.end) : null;
    planLines.push([
      uuidFor(KIND.plan, i),
      caseId(c.index),
      uuidFor(KIND.template, plan.template),
      tpl.title,
      tpl.summary,
      plan.sequential,
      day(plan.assignedAt),
      userId(c.lead),
      iso(plan.assignedAt),
      archivedAt ? iso(archivedAt) : null,
    ]);
    const n = pr.stepsPerPlan[i]!;
    const stepDays = Array.from({ length: n }, (_, s) => tpl.steps[s]?.days ?? r.int(3, 10));
    const planDays = stepDays.reduce((a, b) => a + b, 0);
    // How far along: time since assignment against the plan's length, with some people faster.
    const until = archivedAt ?? c.end;
    const elapsed = Math.min(1, (until - plan.assignedAt) / (planDays * 1.5 * DAY));
    const pace = c.status === "closed" ? 0.7 + 0.3 * r.next() : 0.4 + 0.7 * r.next();
    const finished = Math.min(n, Math.floor(elapsed * pace * n + r.next()));
    let due = plan.assignedAt;
    for (let s = 0; s < n; s++) {
      const step = tpl.steps[s];
      due += stepDays[s]! * DAY;
      let status = "todo";
      let startedAt: number | null = null;
      let completedAt: number | null = null;
      if (s < finished) {
        status = r.chance(0.9) ? "done" : "skipped";
        completedAt = Math.min(until - 60_000, plan.assignedAt + ((s + 1) / n) * (until - plan.assignedAt) * r.next());
        completedAt = Math.max(completedAt, plan.assignedAt + 60_000);
        if (status === "done") startedAt = completedAt - r.int(1, 72) * HOUR;
      } else if (s === finished && r.chance(0.5) && until > plan.assignedAt + DAY) {
        status = "doing";
        startedAt = until - r.int(1, 240) * HOUR;
        startedAt = Math.max(startedAt, plan.assignedAt + HOUR);
      }
      const updatedAt = completedAt ?? startedAt ?? plan.assignedAt;
      if (!archivedAt) stepActivity[c.index] = Math.max(stepActivity[c.index]!, updatedAt);
      stepLines.push([
        uuidFor(KIND.step, stepIndex++),
        uuidFor(KIND.plan, i),
        s + 1,
        step?.title ?? r.pick(text.CUSTOM_STEP_TITLES),
        step?.guidance ?? "",
        step?.days ?? null,
        day(due),
        status,
        startedAt === null ? null : iso(startedAt),
        completedAt === null ? null : iso(completedAt),
        status === "done" && r.chance(0.3) ? r.pick(text.CLIENT_LINES) : null,
        iso(updatedAt),
      ]);
    }
  }
  return { planLines, stepLines, stepActivity };
}

function* threadRows(pr: Practice) {
  const { threads: th, posts: po, cases } = pr;
  for (let t = 0; t < SIZES.threads; t++) {
    const c = cases[th.caseIndex[t]!]!;
    const flagged = th.flaggedPost[t]!;
    const rule = RULES[t % RULES.length]!;
    const reasons = flagged >= 0 ? [{ ...rule, postId: postId(flagged), at: iso(po.time[flagged]!) }] : [];
    const cleared = !Number.isNaN(th.flagClearedAt[t]!);
    yield [
      threadId(t),
      caseId(c.index),
      text.THREAD_TITLES[th.title[t]!],
      THREAD_STATUS[th.status[t]!],
      th.urgent[t] ? "urgent" : "normal",
      th.assignee[t]! >= 0 ? userId(th.assignee[t]!) : null,
      reasons,
      flagged >= 0 ? iso(po.time[flagged]!) : null,
      cleared ? iso(th.flagClearedAt[t]!) : null,
      cleared ? userId(c.lead) : null,
      userId(c.client),
      iso(th.createdAt[t]!),
      ts(th.firstResponseAt[t]!),
      ts(th.waitingSince[t]!),
      iso(th.lastActivityAt[t]!),
      ts(th.closedAt[t]!),
    ];
  }
}

function* postRows(pr: Practice) {
  const r = rng(9_001);
  const { threads: th, posts: po } = pr;
  for (let t = 0; t < SIZES.threads; t++) {
    const start = th.postStart[t]!;
    const end = start + th.postCount[t]!;
    const client = FIRST_CLIENT + th.caseIndex[t]!;
    for (let p = start; p < end; p++) {
      const internal = po.visibility[p] === INTERNAL;
      const body = internal
        ? message(r, text.INTERNAL_LINES, 2)
        : po.author[p] === client
          ? message(r, text.CLIENT_LINES, 4)
          : message(r, text.STAFF_LINES, 3);
      yield [
        postId(p),
        threadId(t),
        po.parent[p]! >= 0 ? postId(po.parent[p]!) : null,
        userId(po.author[p]!),
        body,
        internal ? "internal" : "shared",
        iso(po.time[p]!),
      ];
    }
  }
}

/** Each case lead has read each question up to their team's last post on it. */
function* threadReadRows(pr: Practice) {
  const { threads: th, cases } = pr;
  for (let t = 0; t < SIZES.threads; t++) {
    const at = th.lastStaffPostAt[t]!;
    if (Number.isNaN(at)) continue;
    yield [threadId(t), userId(cases[th.caseIndex[t]!]!.lead), iso(at)];
  }
}

function* checkInRows(pr: Practice) {
  const r = rng(11_001);
  const { checkIns: ck, cases } = pr;
  let mood = 3;
  let progress = 4;
  let closeness = 5;
  let previousCase = -1;
  for (let i = 0; i < SIZES.checkIns; i++) {
    const c = cases[ck.caseIndex[i]!]!;
    if (c.index !== previousCase) {
      previousCase = c.index;
      mood = r.int(2, 4);
      progress = r.int(2, 6);
      closeness = r.int(3, 7);
    }
    // A gentle random walk, drifting upwards: most people get somewhat better.
    mood = Math.max(1, Math.min(5, mood + r.int(-1, 1)));
    progress = Math.max(1, Math.min(10, progress + r.int(-1, 2) - (r.chance(0.3) ? 1 : 0)));
    closeness = Math.max(1, Math.min(10, closeness + r.int(-1, 1)));
    const time = ck.time[i]!;
    const reviewed = time < NOW - 3 * DAY ? r.chance(0.92) : r.chance(0.3);
    const reviewedAt = reviewed ? Math.min(NOW - 60_000, time + r.int(1, 48) * HOUR) : null;
    const feedback = reviewed ? r.pick(text.FEEDBACK_LINES) : null;
    yield [
      uuidFor(KIND.checkIn, i),
      caseId(c.index),
      userId(c.client),
      iso(time),
      mood,
      progress,
      closeness,
      r.pick(text.CHECK_IN_HAPPENED),
      r.pick(text.CHECK_IN_HARD),
      reviewedAt === null ? null : iso(reviewedAt),
      reviewedAt === null ? null : userId(c.lead),
      feedback || null,
    ];
  }
}

/** The lead hears of each new question; the client of each first answer. Older ones are read. */
function* notificationRows(pr: Practice) {
  const r = rng(13_001);
  const { threads: th, cases, userNames } = pr;
  let n = 0;
  const readAt = (at: number) => (at < NOW - 5 * DAY || r.chance(0.5) ? iso(Math.min(NOW - 60_000, at + r.int(1, 48) * HOUR)) : null);
  for (let t = 0; t < SIZES.threads; t++) {
    const c = cases[th.caseIndex[t]!]!;
    const created = th.createdAt[t]!;
    yield [
      uuidFor(KIND.notification, n++),
      userId(c.lead),
      "new_client_post",
      `${userNames[c.client]} asked a new question.`,
      `/threads/${threadId(t)}`,
      threadId(t),
      caseId(c.index),
      iso(created),
      readAt(created),
    ];
    const answered = th.firstResponseAt[t]!;
    if (!Number.isNaN(answered)) {
      yield [
        uuidFor(KIND.notification, n++),
        userId(c.client),
        "new_reply",
        `${userNames[c.lead]} replied to your question.`,
        `/portal/questions/${threadId(t)}`,
        threadId(t),
        caseId(c.index),
        iso(answered),
        readAt(answered),
      ];
    }
  }
}

/** The audit trail's bulk: cases opened, questions asked, check-ins sent. */
function* auditRows(pr: Practice) {
  const { threads: th, checkIns: ck, cases } = pr;
  let n = 0;
  for (const c of cases) {
    yield [uuidFor(KIND.audit, n++), userId(c.lead), caseId(c.index), "case.opened", "case", caseId(c.index), { clientId: userId(c.client), clientInvited: true, concernCategory: c.category }, iso(c.openedAt)];
  }
  for (let t = 0; t < SIZES.threads; t++) {
    const c = cases[th.caseIndex[t]!]!;
    yield [uuidFor(KIND.audit, n++), userId(c.client), caseId(c.index), "thread.started", "thread", threadId(t), { threadId: threadId(t), by: "client" }, iso(th.createdAt[t]!)];
  }
  for (let i = 0; i < SIZES.checkIns; i++) {
    const c = cases[ck.caseIndex[i]!]!;
    const id = uuidFor(KIND.checkIn, i);
    yield [uuidFor(KIND.audit, n++), userId(c.client), caseId(c.index), "check_in.submitted", "check_in", id, { checkInId: id, steps: 0 }, iso(ck.time[i]!)];
  }
}

// ---------------------------------------------------------------------------------------------
// Loading

const BIG_TABLES = ["users", "cases", "case_members", "plan_steps", "threads", "posts", "thread_reads", "check_ins", "notifications", "audit_events"];

async function main() {
  const name = checkDatabaseName(args.find((a) => !a.startsWith("--")));
  const started = performance.now();
  const lap = (what: string) => console.log(`  ${what.padEnd(34)} ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const server = postgres(databaseUrl("postgres"), { max: 1, onnotice: () => {} });
  try {
    const [existing] = await server<{ mark: string | null }[]>`
      select shobj_description(oid, 'pg_database') as mark from pg_database where datname = ${name}`;
    if (existing) {
      if (!force) throw new Error(`The database ${name} already exists. Run again with --force to replace it.`);
      if (existing.mark !== SEED_MARK) {
        throw new Error(`The database ${name} wasn't made by this seed, so it is left alone. Choose another name.`);
      }
      await server.unsafe(`drop database "${name}" with (force)`);
    }
    await server.unsafe(`create database "${name}"`);
    await server.unsafe(`comment on database "${name}" is '${SEED_MARK}'`);
  } finally {
    await server.end();
  }
  console.log(`Seeding ${name} on ${new URL(databaseUrl(name)).host}`);

  const handle = await connect({ url: databaseUrl(name), maxConnections: 1 });
  await handle.migrate();
  await handle.close();
  lap("migrated");

  const [practice, passwordHash] = await Promise.all([Promise.resolve().then(buildPractice), hashPassword(BENCH_PASSWORD)]);
  const plans = planRows(practice);
  lap("generated the practice's shape");

  // Foreign-key triggers off for this session when allowed (the generator keeps every
  // reference valid by construction); commits needn't wait for the disk.
  const options = { max: 2, onnotice: () => {}, connection: { synchronous_commit: "off", maintenance_work_mem: "256MB" } };
  let sql = postgres(databaseUrl(name), { ...options, connection: { ...options.connection, session_replication_role: "replica" } });
  try {
    await sql`select 1`;
  } catch {
    await sql.end();
    sql = postgres(databaseUrl(name), options);
    console.log("  (foreign keys checked during the load: the role may not set session_replication_role)");
  }

  try {
    let indexes: { name: string; def: string }[] = [];
    if (!keepIndexes) {
      indexes = await sql<{ name: string; def: string }[]>`
        select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as def
        from pg_index i
        join pg_class t on t.oid = i.indrelid
        join pg_namespace n on n.oid = t.relnamespace
        where n.nspname = 'public' and t.relname = any(${BIG_TABLES}) and not i.indisprimary
          and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)`;
      for (const index of indexes) await sql.unsafe(`drop index ${index.name}`);
    }

    // The triggers that keep each case's plan progress and check-in summary (migration 0012)
    // and each post's place in its thread (0019) would look things up for every row loaded: off
    // for the load, one recount after.
    const DERIVED = ["plans", "plan_steps", "check_ins", "posts"];
    for (const table of DERIVED) await sql.unsafe(`alter table ${table} disable trigger user`);

    const copy = async (table: string, columns: string[], rows: Iterable<unknown[]>) => {
      const writable = await sql.unsafe(`copy ${table} (${columns.join(", ")}) from stdin`).writable();
      await pipeline(Readable.from(copyChunks(rows)), writable);
    };

    await copy("users", ["id", "email", "name", "role", "password_hash", "created_at", "deactivated_at"], userRows(practice, passwordHash));
    await copy("plan_templates", ["id", "title", "summary", "owner_id", "created_at", "updated_at"], templateRows());
    await copy("plan_template_steps", ["id", "template_id", "position", "title", "guidance", "suggested_days"], templateStepRows());
    await copy(
      "cases",
      ["id", "client_id", "title", "concern_category", "concern", "status", "risk", "check_in_every_days", "created_by", "opened_at", "closed_at", "closing_note", "last_activity_at"],
      caseRows(practice, plans.stepActivity),
    );
    await copy("case_members", ["case_id", "user_id", "role", "added_by", "added_at"], memberRows(practice));
    await copy(
      "plans",
      ["id", "case_id", "template_id", "title", "summary", "sequential", "start_date", "assigned_by", "assigned_at", "archived_at"],
      plans.planLines,
    );
    await copy(
      "plan_steps",
      ["id", "plan_id", "position", "title", "guidance", "suggested_days", "due_date", "status", "started_at", "completed_at", "reflection", "updated_at"],
      plans.stepLines,
    );
    await copy(
      "threads",
      ["id", "case_id", "title", "status", "priority", "assignee_id", "risk_reasons", "flagged_at", "flag_cleared_at", "flag_cleared_by", "created_by", "created_at", "first_response_at", "waiting_since", "last_activity_at", "closed_at"],
      threadRows(practice),
    );
    lap("people, cases, plans and threads");

    // The two biggest streams side by side: Postgres works on one while Node writes the other.
    await Promise.all([
      copy("posts", ["id", "thread_id", "parent_id", "author_id", "body", "visibility", "created_at"], postRows(practice)),
      (async () => {
        await copy(
          "check_ins",
          ["id", "case_id", "author_id", "submitted_at", "mood", "progress", "closeness", "what_happened", "what_was_hard", "reviewed_at", "reviewed_by", "feedback"],
          checkInRows(practice),
        );
        await copy("thread_reads", ["thread_id", "user_id", "last_read_at"], threadReadRows(practice));
        await copy("notifications", ["id", "user_id", "kind", "text", "link", "thread_id", "case_id", "created_at", "read_at"], notificationRows(practice));
        await copy("audit_events", ["id", "actor_id", "case_id", "action", "target_type", "target_id", "details", "created_at"], auditRows(practice));
      })(),
    ]);
    lap("posts, check-ins, notifications, audit");

    // Rebuild the indexes two at a time (one per core), biggest first.
    const queue = [...indexes].sort((a, b) => Number(b.def.includes(" posts ")) - Number(a.def.includes(" posts ")));
    await Promise.all(
      [0, 1].map(async () => {
        for (let next = queue.shift(); next; next = queue.shift()) await sql.unsafe(next.def);
      }),
    );
    if (indexes.length) lap(`rebuilt ${indexes.length} indexes`);

    for (const table of DERIVED) await sql.unsafe(`alter table ${table} enable trigger user`);
    await sql`select cases_recount_steps(id), cases_recount_check_ins(id) from cases`;
    lap("plan progress and check-in summaries");
    await sql`select posts_order_recount(array(select id from threads))`;
    lap("each post's place in its thread");
    // The dashboard's counts (migration 0017) and the staff's triage queues (0018): their
    // triggers don't fire while replicating.
    await sql`select dashboard_counts_recount()`;
    await sql`select triage_entries_recount()`;
    lap("dashboard counts and triage queues");

    await sql`vacuum (analyze)`;
    lap("vacuum analyze");

    const tables = ["users", "cases", "case_members", "plans", "plan_steps", "threads", "posts", "check_ins", "notifications", "thread_reads", "audit_events"];
    const counts = await sql.unsafe<{ table: string; rows: number }[]>(
      tables.map((table) => `select '${table}' as table, count(*)::int as rows from ${table}`).join(" union all "),
    );
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`\nSeeded ${name} in ${seconds} s:`);
    for (const row of counts) console.log(`  ${row.table.padEnd(16)} ${row.rows.toLocaleString("en")}`);
    console.log(`\nSign in with the password ${BENCH_PASSWORD} as ${PERSONAS.admin}, ${PERSONAS.coach} (busiest coach) or ${PERSONAS.client}.`);
  } finally {
    await sql.end();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
