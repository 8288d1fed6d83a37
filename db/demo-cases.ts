import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Database } from "./connect";
import {
  auditEvents,
  caseMembers,
  caseNotes,
  cases,
  planSteps,
  planTemplateSteps,
  planTemplates,
  plans,
  users,
  type CaseStatus,
  type ConcernCategory,
  type RiskLevel,
} from "./schema";

// The demo practice's cases: every status, three leads, plans at different stages, staff notes
// and a timeline, so each screen shows realistic content. Written directly to the tables (with
// dates in the past) rather than through the models, which would stamp everything "now".
// Idempotent: a case is identified by its client and title and skipped when it exists.

const DAY = 24 * 60 * 60 * 1000;

type DemoPlan = {
  template: string;
  startedDaysAgo: number;
  sequential?: boolean;
  /** Status of each step in order; missing entries are "todo". */
  steps: ("done" | "doing" | "skipped")[];
  reflections?: Record<number, string>;
};

type DemoCase = {
  client: string;
  title: string;
  concernCategory: ConcernCategory;
  concern: string;
  status: CaseStatus;
  risk: RiskLevel;
  lead: string;
  support?: string[];
  openedDaysAgo: number;
  closedDaysAgo?: number;
  closingNote?: string;
  plan?: DemoPlan;
  notes: { author: string; daysAgo: number; body: string }[];
};

const REBUILD = "Rebuilding trust — for the partner who broke it";
const HEAL = "Healing — for the partner who was hurt";
const SPACE = "Giving space";

export const demoCases: DemoCase[] = [
  {
    client: "client@cairn.test",
    title: "Rebuilding trust after reading a partner's messages",
    concernCategory: "trust_repair",
    concern:
      "Jordan read their partner's phone during a low moment and was found out. Both want to stay together; the partner feels watched and wants privacy respected again.",
    status: "active",
    risk: "none",
    lead: "therapist@cairn.test",
    support: ["coach@cairn.test"],
    openedDaysAgo: 88,
    plan: {
      template: REBUILD,
      startedDaysAgo: 85,
      steps: ["done", "done", "done", "doing"],
      reflections: {
        0: "I said it out loud without adding 'but you were distant'. That was harder than I expected.",
        2: "We agreed I would tell them when I feel the urge to check. I did it twice this week.",
      },
    },
    notes: [
      { author: "therapist@cairn.test", daysAgo: 86, body: "First session. Jordan takes responsibility readily but slides into explaining the anxiety behind it. Work on owning it first, the why later." },
      { author: "coach@cairn.test", daysAgo: 12, body: "Check-in call: the transparency agreement is holding. Partner asked for one phone-free evening a week; Jordan agreed." },
    ],
  },
  {
    client: "riley@cairn.test",
    title: "A white lie that grew",
    concernCategory: "trust_repair",
    concern:
      "A small lie about a work trip turned into months of cover stories. Riley's partner now doubts ordinary things Riley says.",
    status: "active",
    risk: "none",
    lead: "coach@cairn.test",
    openedDaysAgo: 16,
    plan: { template: REBUILD, startedDaysAgo: 14, steps: ["done", "doing"] },
    notes: [{ author: "coach@cairn.test", daysAgo: 15, body: "Riley wants a quick fix. Set expectations: trust comes back through many small kept promises." }],
  },
  {
    client: "sam@cairn.test",
    title: "After an emotional affair came to light",
    concernCategory: "trust_repair",
    concern:
      "Sam discovered months of intimate messages between their partner and a colleague. They are living together and trying to decide what comes next.",
    status: "active",
    risk: "watch",
    lead: "therapist@cairn.test",
    openedDaysAgo: 92,
    plan: {
      template: HEAL,
      startedDaysAgo: 90,
      steps: ["done", "done", "done", "done", "done"],
      reflections: { 1: "I wrote down three things I need. Saying them was easier once they were on paper." },
    },
    notes: [
      { author: "therapist@cairn.test", daysAgo: 88, body: "Sleep is poor and Sam mentions feeling 'hollow'. Keep the risk on watch and ask directly at each session." },
      { author: "therapist@cairn.test", daysAgo: 9, body: "Mood steadier. Sam has a friend to talk to now and has started running again." },
    ],
  },
  {
    client: "alex@cairn.test",
    title: "Long-distance partner went back to an ex",
    concernCategory: "separation",
    concern:
      "Alex's long-distance partner reconnected with an ex during a visit home. They have agreed to a pause before deciding anything.",
    status: "paused",
    risk: "none",
    lead: "coach2@cairn.test",
    openedDaysAgo: 45,
    plan: { template: SPACE, startedDaysAgo: 40, steps: ["done", "done"] },
    notes: [{ author: "coach2@cairn.test", daysAgo: 20, body: "Paused at Alex's request while they take the agreed two weeks of space. Resume when Alex reaches out." }],
  },
  {
    client: "priya@cairn.test",
    title: "Talking without it turning into a fight",
    concernCategory: "communication",
    concern: "Every conversation about money or family ends in raised voices. Priya wants tools to slow things down.",
    status: "intake",
    risk: "none",
    lead: "coach@cairn.test",
    openedDaysAgo: 3,
    notes: [{ author: "coach@cairn.test", daysAgo: 2, body: "Intake form received. Wants evening sessions. No plan yet; start with communication basics." }],
  },
  {
    client: "noah@cairn.test",
    title: "Deciding whether to stay",
    concernCategory: "separation",
    concern: "Noah's partner ended a year-long secret friendship with an ex. Noah wanted help deciding whether to rebuild or to leave.",
    status: "closed",
    risk: "none",
    lead: "therapist@cairn.test",
    openedDaysAgo: 120,
    closedDaysAgo: 10,
    closingNote:
      "Noah completed the healing plan and decided to stay, with a clear agreement about openness. Both feel the work is in their own hands now; welcome back any time.",
    plan: { template: HEAL, startedDaysAgo: 115, steps: ["done", "done", "done", "done", "done", "done", "done", "done", "done"] },
    notes: [{ author: "therapist@cairn.test", daysAgo: 11, body: "Closing session. Noah named what changed: they no longer check the partner's location." }],
  },
  {
    client: "mei@cairn.test",
    title: "Rebuilding after a hidden debt",
    concernCategory: "trust_repair",
    concern:
      "Mei hid a growing credit-card debt from her husband for two years. He found the statements last week and has moved to his brother's.",
    status: "active",
    risk: "urgent",
    lead: "coach2@cairn.test",
    support: ["therapist@cairn.test"],
    openedDaysAgo: 6,
    plan: { template: REBUILD, startedDaysAgo: 5, sequential: true, steps: [] },
    notes: [
      { author: "coach2@cairn.test", daysAgo: 5, body: "Mei is very distressed and not sleeping. Marked urgent; Theo joins as support. Daily check-ins this week." },
    ],
  },
  {
    client: "dana@cairn.test",
    title: "Giving each other room after a hard month",
    concernCategory: "other",
    concern: "After a month of arguments Dana and their partner agreed to step back for a while and work on themselves first.",
    status: "active",
    risk: "none",
    lead: "coach@cairn.test",
    support: ["therapist@cairn.test"],
    openedDaysAgo: 24,
    plan: {
      template: SPACE,
      startedDaysAgo: 21,
      steps: ["done", "done", "skipped", "done"],
      reflections: { 3: "We had coffee on Sunday. We talked about small things and it felt easy for the first time in weeks." },
    },
    notes: [{ author: "coach@cairn.test", daysAgo: 8, body: "Dana skipped the journaling step; fine, they prefer walks. Reopening communication went well." }],
  },
];

function isoDate(at: Date) {
  return at.toISOString().slice(0, 10);
}

export async function seedCases(db: Database, now = new Date()) {
  const allUsers = await db.select({ id: users.id, email: users.email, name: users.name }).from(users);
  const userId = (email: string) => {
    const found = allUsers.find((u) => u.email === email);
    if (!found) throw new Error(`demo user ${email} is missing; seed the accounts first`);
    return found.id;
  };
  const ago = (days: number) => new Date(now.getTime() - days * DAY);
  let created = 0;

  for (const demo of demoCases) {
    const clientId = userId(demo.client);
    const [existing] = await db
      .select({ id: cases.id })
      .from(cases)
      .where(and(eq(cases.clientId, clientId), eq(cases.title, demo.title)));
    if (existing) continue;

    await db.transaction(async (tx) => {
      const leadId = userId(demo.lead);
      const openedAt = ago(demo.openedDaysAgo);
      const [row] = await tx
        .insert(cases)
        .values({
          clientId,
          title: demo.title,
          concernCategory: demo.concernCategory,
          concern: demo.concern,
          status: demo.status,
          risk: demo.risk,
          createdBy: leadId,
          openedAt,
          closedAt: demo.closedDaysAgo !== undefined ? ago(demo.closedDaysAgo) : null,
          closingNote: demo.closingNote ?? null,
          lastActivityAt: openedAt,
        })
        .returning({ id: cases.id });
      const caseId = row!.id;
      const events: (typeof auditEvents.$inferInsert)[] = [
        { actorId: leadId, caseId, action: "case.opened", targetType: "case", targetId: caseId, createdAt: openedAt },
      ];
      let lastActivity = openedAt;
      const event = (e: Omit<typeof auditEvents.$inferInsert, "caseId">) => {
        events.push({ ...e, caseId });
        if (e.createdAt && e.createdAt > lastActivity) lastActivity = e.createdAt;
      };

      await tx.insert(caseMembers).values({ caseId, userId: leadId, role: "lead", addedBy: leadId, addedAt: openedAt });
      for (const email of demo.support ?? []) {
        const at = new Date(openedAt.getTime() + DAY);
        const supportId = userId(email);
        await tx.insert(caseMembers).values({ caseId, userId: supportId, role: "support", addedBy: leadId, addedAt: at });
        event({
          actorId: leadId,
          action: "case.member_added",
          targetType: "user",
          targetId: supportId,
          details: { memberId: supportId, memberName: allUsers.find((u) => u.id === supportId)?.name, role: "support" },
          createdAt: at,
        });
      }
      if (demo.status !== "intake") {
        event({
          actorId: leadId,
          action: "case.status_changed",
          targetType: "case",
          targetId: caseId,
          details: { from: "intake", to: "active" },
          createdAt: new Date(openedAt.getTime() + 2 * 60 * 60 * 1000),
        });
      }
      if (demo.risk !== "none") {
        event({
          actorId: leadId,
          action: "case.risk_changed",
          targetType: "case",
          targetId: caseId,
          details: { from: "none", to: demo.risk },
          createdAt: new Date(openedAt.getTime() + 3 * 60 * 60 * 1000),
        });
      }

      if (demo.plan) {
        const [template] = await tx.select().from(planTemplates).where(eq(planTemplates.title, demo.plan.template));
        if (!template) throw new Error(`demo template "${demo.plan.template}" is missing; seed the templates first`);
        const templateSteps = await tx
          .select()
          .from(planTemplateSteps)
          .where(eq(planTemplateSteps.templateId, template.id))
          .orderBy(asc(planTemplateSteps.position));
        const start = ago(demo.plan.startedDaysAgo);
        const [plan] = await tx
          .insert(plans)
          .values({
            caseId,
            templateId: template.id,
            title: template.title,
            summary: template.summary,
            sequential: demo.plan.sequential ?? false,
            startDate: isoDate(start),
            assignedBy: leadId,
            assignedAt: start,
          })
          .returning({ id: plans.id });
        event({ actorId: leadId, action: "plan.assigned", targetType: "plan", targetId: plan!.id, details: { plan: template.title, template: template.title }, createdAt: start });

        let cumulativeDays = 0;
        for (const [index, step] of templateSteps.entries()) {
          cumulativeDays += step.suggestedDays ?? 0;
          const status = demo.plan.steps[index] ?? "todo";
          // Work happened at an even pace between the plan's start and a few days ago.
          const span = Math.max(1, demo.plan.startedDaysAgo - 2);
          const doneAt = new Date(start.getTime() + ((index + 1) / (demo.plan.steps.length + 1)) * span * DAY);
          const startedAt = status === "todo" ? null : new Date(doneAt.getTime() - DAY);
          const completedAt = status === "done" || status === "skipped" ? doneAt : null;
          const [inserted] = await tx
            .insert(planSteps)
            .values({
              planId: plan!.id,
              position: index + 1,
              title: step.title,
              guidance: step.guidance,
              resourceUrl: step.resourceUrl,
              suggestedDays: step.suggestedDays,
              dueDate: step.suggestedDays ? isoDate(new Date(start.getTime() + cumulativeDays * DAY)) : null,
              status,
              startedAt,
              completedAt,
              reflection: demo.plan.reflections?.[index] ?? null,
              updatedAt: completedAt ?? startedAt ?? start,
            })
            .returning({ id: planSteps.id });
          if (startedAt) {
            event({ actorId: clientId, action: "step.started", targetType: "plan_step", targetId: inserted!.id, details: { plan: template.title, step: step.title }, createdAt: startedAt });
          }
          if (completedAt) {
            event({
              actorId: clientId,
              action: status === "done" ? "step.done" : "step.skipped",
              targetType: "plan_step",
              targetId: inserted!.id,
              details: { plan: template.title, step: step.title },
              createdAt: completedAt,
            });
          }
        }
      }

      for (const note of demo.notes) {
        const at = ago(note.daysAgo);
        const [inserted] = await tx
          .insert(caseNotes)
          .values({ caseId, authorId: userId(note.author), body: note.body, createdAt: at })
          .returning({ id: caseNotes.id });
        event({ actorId: userId(note.author), action: "note.added", targetType: "case_note", targetId: inserted!.id, createdAt: at });
      }

      if (demo.status === "paused" || demo.status === "closed") {
        const at = demo.closedDaysAgo !== undefined ? ago(demo.closedDaysAgo) : ago(Math.max(1, demo.openedDaysAgo - 25));
        event({ actorId: leadId, action: "case.status_changed", targetType: "case", targetId: caseId, details: { from: "active", to: demo.status }, createdAt: at });
      }

      await tx.insert(auditEvents).values(events);
      await tx.update(cases).set({ lastActivityAt: lastActivity }).where(eq(cases.id, caseId));
    });
    created++;
  }
  return { created };
}

/** Demo cases present, for reporting. */
export async function countDemoCases(db: Database) {
  const titles = demoCases.map((c) => c.title);
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(cases).where(inArray(cases.title, titles));
  return row?.n ?? 0;
}
