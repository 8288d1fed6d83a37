import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { screenText } from "../app/models/risk-screening";
import type { Database } from "./connect";
import { demoCases } from "./demo-cases";
import { auditEvents, caseMembers, cases, checkIns, planSteps, plans, users } from "./schema";

// The demo practice's check-ins: up to four months of them on the demo cases, so the charts, the
// review queue and the "needs attention" list have something true to say. Sam is moving forward,
// Jordan has stalled, Riley is sliding (the last three lower each time), Dana has gone quiet and
// is overdue, Alex stopped when the case was paused, and Noah's closed case shows the whole arc.
// Check-ins follow each case's cadence (read from the case), counted back from the newest; a
// period that falls before the case opened (or after it closed) has none, so newer cases have
// fewer. Steps worked on are the case's plan steps that were under way in the period before. Older
// check-ins carry a review with feedback; the newest few wait in the review queue.
// Written straight to the tables with times in the past, like the other demo data.
// Idempotent: a case that already has check-ins is left alone.

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

type DemoCheckIn = {
  mood: number;
  progress: number;
  closeness: number;
  happened: string;
  hard: string;
  /** The review; none leaves the check-in in the review queue. */
  feedback?: string;
  /** Reviewed by the case's support member rather than its lead. */
  bySupport?: true;
};

type DemoCaseCheckIns = {
  /** The demo case's client; each demo client has one case. */
  client: string;
  /** Days ago of the newest check-in; earlier ones go back one cadence at a time. */
  lastDaysAgo: number;
  /** Periods (0 = the newest, counting back) in which no check-in came. */
  missed?: number[];
  /** Oldest first; the oldest are dropped when the case is too young for all of them. */
  entries: DemoCheckIn[];
};

export const demoCheckIns: DemoCaseCheckIns[] = [
  // Noah, closed ten days ago: from raw to choosing to stay, over fifteen weeks (two missed).
  {
    client: "noah@cairn.test",
    lastDaysAgo: 11,
    missed: [4, 10],
    entries: [
      { mood: 2, progress: 2, closeness: 3, happened: "Elena and I talked about the friendship for the first time without either of us walking out.", hard: "Not knowing what else I haven't been told.", feedback: "Staying in the room for that conversation took courage, Noah. The not-knowing is one of the hardest parts; we'll give it its own time." },
      { mood: 2, progress: 3, closeness: 3, happened: "I wrote down what hurt, in I-statements, like we practised.", hard: "Reading it back made me feel it all again.", feedback: "Feeling it again is a sign you're naming it honestly. Keep the page; it will be useful when you decide what you need." },
      { mood: 3, progress: 3, closeness: 3, happened: "Told Elena I need her to tell me when her ex gets in touch, not hide it to spare me.", hard: "She agreed straight away, and I didn't quite believe her.", feedback: "A clear boundary, clearly said. Belief comes after she keeps it a few times; you don't have to feel it yet." },
      { mood: 2, progress: 4, closeness: 4, happened: "A bad week at work spilled into home. We argued about nothing.", hard: "Feeling like we'd gone backwards.", feedback: "One rough week isn't going backwards. You noticed what was really going on, which is the skill that matters here." },
      { mood: 3, progress: 4, closeness: 4, happened: "Met my brother for a long walk and told him some of it.", hard: "Worrying he'd judge Elena.", feedback: "Support outside the relationship is exactly what this step is for. It sounds like he listened more than he judged." },
      { mood: 3, progress: 5, closeness: 4, happened: "Booked a weekend away on my own and actually went.", hard: "Guilt about leaving her at home.", feedback: "Time for yourself isn't a punishment for Elena, it's care for you. Glad you went and came back rested." },
      { mood: 3, progress: 5, closeness: 5, happened: "Elena showed me a message from her ex before I asked.", hard: "I still checked her face for something she wasn't saying.", feedback: "She offered it freely, which is consistency in action. Checking her face is an old habit; notice it kindly and let it pass." },
      { mood: 4, progress: 6, closeness: 5, happened: "We cooked together on Saturday and laughed about the burnt rice.", hard: "Trusting a good day to last.", feedback: "Burnt rice and laughter: that's what rebuilding looks like from the inside. Good days don't have to prove anything." },
      { mood: 3, progress: 6, closeness: 6, happened: "Her work calls in the other room didn't bother me as much.", hard: "One call went long and the old tension came back.", feedback: "Less tension most of the time is real progress, Noah. The long call is worth mentioning to Elena calmly." },
      { mood: 4, progress: 7, closeness: 6, happened: "I asked her how she's been finding all this, and really listened.", hard: "Hearing that she's been lonely too.", feedback: "Asking and listening turned this into something you're doing together. Her loneliness isn't your fault, and hearing it is generous." },
      { mood: 4, progress: 7, closeness: 7, happened: "Thought about forgiveness without a deadline on it.", hard: "Not knowing if I'll ever fully let it go.", feedback: "Forgiveness isn't a switch, and you're treating it that way beautifully. Letting it go partly is still letting it go." },
      { mood: 4, progress: 8, closeness: 7, happened: "Stopped looking at her location in the app. Didn't miss it.", hard: "A flicker of worry on the first evening.", feedback: "That's a big change, and you made it quietly. A flicker isn't a relapse. Well done." },
      { mood: 5, progress: 8, closeness: 8, happened: "Realised I'm choosing to stay, not just failing to leave.", hard: "Honestly, not much this week.", feedback: "That's a moving thing to notice, Noah. Choosing is a strong place to stand." },
      { mood: 4, progress: 9, closeness: 8, happened: "Talked with Elena about what openness looks like after we finish here.", hard: "Saying goodbye to the sessions.", feedback: "You've built your own agreement and you'll carry it on. It's been a privilege to walk part of this with you both." },
    ],
  },
  // Sam: twelve weeks from finding the messages to slowly steadier. The newest is unreviewed.
  {
    client: "sam@cairn.test",
    lastDaysAgo: 2,
    entries: [
      { mood: 1, progress: 1, closeness: 2, happened: "Found the messages on Lee's laptop on Sunday. I haven't told anyone yet.", hard: "Breathing, at some moments.", feedback: "Thank you for telling us, Sam. Right now the only job is to get through each day; we'll go slowly together." },
      { mood: 1, progress: 1, closeness: 1, happened: "Lee admitted it went on for months. We both cried.", hard: "Hearing how long it lasted.", feedback: "That was a brutal conversation to sit through. Please lean on the people around you this week; we'll make sense of it together." },
      { mood: 1, progress: 2, closeness: 2, happened: "Took two days off work and slept at my sister's one night.", hard: "Coming home again.", feedback: "Taking time away was wise. Coming home is hard; notice what helped at your sister's so we can build on it." },
      { mood: 1, progress: 2, closeness: 2, happened: "First session. Said out loud what I'd found.", hard: "Not knowing whether I want to stay.", feedback: "You don't have to know yet. Naming what happened was the first step, and you took it." },
      { mood: 1, progress: 2, closeness: 2, happened: "Lee and I are sleeping in separate rooms. I went to work and came home.", hard: "Everything. Sleeping most of all.", feedback: "Getting through the days is enough right now, Sam. Thank you for checking in. We'll talk about sleep on Thursday." },
      { mood: 2, progress: 2, closeness: 3, happened: "Wrote down how it felt to read those messages, starting each line with 'I'.", hard: "Not turning it into a list of his faults.", feedback: "Those I-statements are strong and clear. Staying with your own experience is harder than listing his faults, and you did it." },
      { mood: 2, progress: 3, closeness: 3, happened: "Told Lee I need him to stop contact with the colleague outside meetings.", hard: "He went quiet and I felt I'd been too much.", feedback: "Asking for what protects you is never too much. His quiet is his to work through; your boundary is fair." },
      { mood: 2, progress: 4, closeness: 3, happened: "Made a list of three things I need from him each week.", hard: "Wondering if I'm allowed to need things at all.", feedback: "You are. The list is practical and kind to both of you. I'd love to hear how Lee responds to it." },
      { mood: 3, progress: 4, closeness: 4, happened: "Had dinner with Ade and told her a little of what happened.", hard: "Crying in the restaurant.", feedback: "Letting a friend in is a turning point. Tears in a restaurant are a sign you felt safe enough with her to let go." },
      { mood: 3, progress: 5, closeness: 4, happened: "Went running twice. Slept through one night.", hard: "Looking at the colleague's profile again.", feedback: "Two runs and a full night's sleep: your body is catching up. The checking will ease as you find other places to put that worry." },
      { mood: 3, progress: 6, closeness: 5, happened: "Lee and I walked by the river and talked about ordinary things.", hard: "Feeling guilty for enjoying it.", feedback: "Enjoying a walk with Lee doesn't cancel what happened. It's allowed to sit beside it." },
      { mood: 4, progress: 6, closeness: 5, happened: "Spent Saturday on my own at the coast. Came back lighter.", hard: "The drive home, when the thoughts came back.", feedback: "Lighter is a lovely word to bring back. Thoughts on the drive home are normal; they visited and they passed." },
      { mood: 4, progress: 7, closeness: 6, happened: "Lee asked about joint sessions and I said I'd think about it, calmly.", hard: "Not rushing my answer to make him feel better." },
    ],
  },
  // Jordan: a good start, then a plateau. The last two wait for review.
  {
    client: "client@cairn.test",
    lastDaysAgo: 1,
    entries: [
      { mood: 3, progress: 3, closeness: 4, happened: "Told Sasha what I did without adding any reasons.", hard: "Wanting to explain the anxiety straight after.", feedback: "Owning it without a 'but' is the foundation, Jordan. The why can come later, in its own conversation." },
      { mood: 4, progress: 5, closeness: 5, happened: "Apologised properly. Sasha said they heard me.", hard: "Waiting for more than that.", bySupport: true, feedback: "'I heard you' is a real gift at this stage. More will come in Sasha's own time." },
      { mood: 3, progress: 5, closeness: 5, happened: "Told Sasha about the urge to check, twice, as we agreed.", hard: "Their silence afterwards.", feedback: "Telling them is keeping your promise, even when the reply is quiet. That's the transparency step working." },
      { mood: 3, progress: 6, closeness: 4, happened: "Kept the phone-free evening. We watched a film.", hard: "Feeling like nothing has really changed between us.", bySupport: true, feedback: "Phone-free evenings kept week after week are what change is made of, even when it doesn't feel like it yet." },
      { mood: 3, progress: 5, closeness: 5, happened: "Another steady week. No checking.", hard: "Sasha still flinches when I pick up their phone to hand it to them." },
      { mood: 3, progress: 5, closeness: 5, happened: "Cooked, kept the agreements, asked Sasha how they want me to tell them about urges.", hard: "It feels like we're stuck in the same place." },
    ],
  },
  // Riley: hoping for a quick fix, and lower each week. The newest waits for review.
  {
    client: "riley@cairn.test",
    lastDaysAgo: 1,
    entries: [
      { mood: 4, progress: 5, closeness: 6, happened: "Told Tom everything about the work trip. He thanked me for being honest.", hard: "Wanting him to say it's behind us.", feedback: "Telling the whole story was brave, Riley. Trust comes back through many small kept promises; this was the first." },
      { mood: 3, progress: 4, closeness: 5, happened: "Tom asked where I'd been and I showed him the appointment card.", hard: "Feeling like I'm on trial for ordinary things.", feedback: "That feeling is common at this point and it does ease. Answering plainly, without defending, is the right instinct." },
      { mood: 2, progress: 3, closeness: 4, happened: "My apology came out like a speech again and Tom said so.", hard: "Nothing I do seems to be enough." },
    ],
  },
  // Alex: steady-ish until the pause, then nothing.
  {
    client: "alex@cairn.test",
    lastDaysAgo: 22,
    entries: [
      { mood: 2, progress: 3, closeness: 4, happened: "Jonas and I agreed what 'space' means: no calls, one message a week.", hard: "Putting the phone down after we agreed.", feedback: "Clear terms make space bearable. You set them together; that matters." },
      { mood: 3, progress: 4, closeness: 3, happened: "First week of stepping back. Spent it with friends.", hard: "Wondering whether the silence is the answer.", feedback: "Silence during agreed space is the agreement, not the answer. Leaning on friends was a good call, Alex." },
      { mood: 3, progress: 4, closeness: 3, happened: "Stopped drafting messages I wasn't going to send.", hard: "The weekend, when he'd usually call.", feedback: "Letting go of the drafts is letting go of pressure, exactly this step. Weekends will be hardest; plan something for Saturday." },
      { mood: 3, progress: 4, closeness: 3, happened: "Asked to pause our sessions while Jonas travels.", hard: "Worrying it looks like giving up.", feedback: "Pausing isn't giving up. We'll be here when you're ready to pick it up again." },
    ],
  },
  // Dana: two check-ins, then quiet; overdue now.
  {
    client: "dana@cairn.test",
    lastDaysAgo: 16,
    entries: [
      { mood: 3, progress: 4, closeness: 4, happened: "Rowan and I agreed to a fortnight apart and what that means.", hard: "The first night in a quiet flat.", feedback: "Agreeing the terms together is a good start, Dana. Quiet flats are strange at first; be gentle with yourself." },
      { mood: 4, progress: 5, closeness: 5, happened: "Long walks instead of journaling. My head feels clearer.", hard: "Not texting Rowan on Sunday.", bySupport: true, feedback: "Walking clearly works for you, and holding back on Sunday kept the space you both asked for. Nicely done." },
    ],
  },
  // Mei: a few days in and struggling; waiting for review.
  {
    client: "mei@cairn.test",
    lastDaysAgo: 1,
    entries: [
      { mood: 1, progress: 1, closeness: 2, happened: "Kenji replied to one message. He said he needs time.", hard: "Sleeping, eating, thinking about anything else." },
    ],
  },
];

type Window = { id: string; from: number; to: number };

/** When each plan step was under way: from its start to its completion (or now). Skipped ones aren't worked on. */
function stepWindows(rows: { id: string; status: string; startedAt: Date | null; completedAt: Date | null }[], now: Date): Window[] {
  return rows
    .filter((step) => step.startedAt && step.status !== "skipped")
    .map((step) => ({ id: step.id, from: step.startedAt!.getTime(), to: step.completedAt?.getTime() ?? now.getTime() }));
}

export async function seedCheckIns(db: Database, now = new Date()) {
  const clientEmails = demoCheckIns.map((c) => c.client);
  const clients = await db.select({ id: users.id, email: users.email }).from(users).where(inArray(users.email, clientEmails));
  let created = 0;

  for (const demo of demoCheckIns) {
    const demoCase = demoCases.find((c) => c.client === demo.client);
    const client = clients.find((c) => c.email === demo.client);
    if (!demoCase || !client) throw new Error(`demo case for ${demo.client} is missing; seed the cases first`);
    const [theCase] = await db
      .select({ id: cases.id, cadence: cases.checkInEveryDays, openedAt: cases.openedAt, closedAt: cases.closedAt })
      .from(cases)
      .where(and(eq(cases.clientId, client.id), eq(cases.title, demoCase.title)));
    if (!theCase) throw new Error(`demo case "${demoCase.title}" is missing; seed the cases first`);
    const caseId = theCase.id;
    const [existing] = await db.select({ id: checkIns.id }).from(checkIns).where(eq(checkIns.caseId, caseId)).limit(1);
    if (existing) continue;

    const members = await db
      .select({ userId: caseMembers.userId, role: caseMembers.role })
      .from(caseMembers)
      .where(eq(caseMembers.caseId, caseId));
    const lead = members.find((m) => m.role === "lead")!.userId;
    const support = members.find((m) => m.role === "support")?.userId;
    const steps = await db
      .select({ id: planSteps.id, status: planSteps.status, startedAt: planSteps.startedAt, completedAt: planSteps.completedAt })
      .from(planSteps)
      .innerJoin(plans, eq(plans.id, planSteps.planId))
      .where(eq(plans.caseId, caseId))
      .orderBy(asc(planSteps.position));
    const windows = stepWindows(steps, now);

    // Place the entries, newest first, one cadence apart, within the case's open days.
    const cadence = theCase.cadence * DAY;
    const earliest = theCase.openedAt.getTime() + 12 * HOUR;
    const latest = Math.min(theCase.closedAt?.getTime() ?? now.getTime(), now.getTime() - HOUR);
    const placed: { entry: DemoCheckIn; at: Date }[] = [];
    let period = 0;
    for (let index = demo.entries.length - 1; index >= 0; period++) {
      if (demo.missed?.includes(period)) continue;
      // A few hours either side of the day, so the times look written by a person.
      const jitter = (((period * 5) % 9) - 4) * HOUR;
      const at = now.getTime() - demo.lastDaysAgo * DAY - period * cadence + jitter;
      if (at < earliest) break;
      if (at > latest) continue;
      placed.unshift({ entry: demo.entries[index]!, at: new Date(at) });
      index--;
    }
    if (placed.length === 0) continue;

    await db.transaction(async (tx) => {
      const events: (typeof auditEvents.$inferInsert)[] = [];
      let lastActivity = placed[0]!.at;
      for (const [index, { entry, at }] of placed.entries()) {
        const periodStart = at.getTime() - cadence;
        const stepIds = windows
          .filter((w) => w.from <= at.getTime() && w.to >= periodStart)
          .slice(-2)
          .map((w) => w.id);
        const riskReasons = screenText(`${entry.happened}\n${entry.hard}`);
        const reviewer = entry.bySupport && support ? support : lead;
        // Reviewed the same day or the next; never in the future, nor after the case closed.
        const reviewedAt = entry.feedback ? new Date(Math.min(at.getTime() + (4 + ((index * 7) % 20)) * HOUR, latest)) : null;
        const [row] = await tx
          .insert(checkIns)
          .values({
            caseId,
            authorId: client.id,
            submittedAt: at,
            mood: entry.mood,
            progress: entry.progress,
            closeness: entry.closeness,
            whatHappened: entry.happened,
            whatWasHard: entry.hard,
            stepIds,
            riskReasons,
            reviewedAt,
            reviewedBy: reviewedAt ? reviewer : null,
            feedback: entry.feedback ?? null,
          })
          .returning({ id: checkIns.id });
        const target = { caseId, targetType: "check_in", targetId: row!.id };
        events.push({ ...target, actorId: client.id, action: "check_in.submitted", details: { checkInId: row!.id, steps: stepIds.length }, createdAt: at });
        if (riskReasons.length) {
          events.push({
            ...target,
            actorId: null,
            action: "check_in.flagged",
            details: { checkInId: row!.id, rules: riskReasons.map((r) => r.ruleId), labels: riskReasons.map((r) => r.label) },
            createdAt: at,
          });
        }
        if (reviewedAt) {
          events.push({ ...target, actorId: reviewer, action: "check_in.reviewed", details: { checkInId: row!.id }, createdAt: reviewedAt });
        }
        const latestHere = reviewedAt ?? at;
        if (latestHere > lastActivity) lastActivity = latestHere;
        created++;
      }
      await tx.insert(auditEvents).values(events);
      await tx
        .update(cases)
        .set({ lastActivityAt: sql`greatest(${cases.lastActivityAt}, ${lastActivity.toISOString()}::timestamptz)` })
        .where(eq(cases.id, caseId));
    });
  }
  return { created };
}
