import { eq } from "drizzle-orm";
import type { Database } from "./connect";
import { planTemplates, planTemplateSteps } from "./schema";

// The demo practice's plan templates (DESIGN.md, "Typical plans"). Written for Cairn: warm,
// plain guidance a coach would be glad to hand a client. The seed adds any that are missing,
// matched by title, so running it twice changes nothing and edited copies are left alone.

export type DemoTemplateStep = { title: string; guidance: string; suggestedDays: number | null; resourceUrl?: string | null };
export type DemoTemplate = { title: string; summary: string; steps: DemoTemplateStep[] };

export const demoTemplates: DemoTemplate[] = [
  {
    title: "Rebuilding trust — for the partner who broke it",
    summary:
      "For the partner whose choices broke trust. Take full responsibility, apologise without conditions, " +
      "be open while trust regrows, and change what led you here, at the pace your partner needs.",
    steps: [
      {
        title: "Own it fully, without excuses",
        suggestedDays: 3,
        guidance: `Write down what you did in plain words, the way your partner lived through it. Leave the reasons out for now: words like *because*, *but* and *only* land as excuses, even when you mean them as context.

- Name the actions, not just how you felt about them.
- Notice where you are tempted to make it sound smaller, and write the fuller version instead.
- Bring the page to your next session; you don't need to share it with your partner yet.`,
      },
      {
        title: "Apologise sincerely",
        suggestedDays: 7,
        guidance: `A real apology does three things: it names what you did, it acknowledges the hurt it caused, and it says what you will do differently. It asks for nothing in return, not forgiveness and not a quick return to normal.

Choose a calm moment with time and privacy, and say it in person rather than by message. Your partner may not be ready to accept it yet. That is theirs to decide, and it is not a reason to stop showing up.`,
      },
      {
        title: "Be transparent",
        suggestedDays: 14,
        guidance: `For a while, openness is the scaffolding trust leans on while it regrows. Offer it before you are asked:

- share your plans and whereabouts without waiting for the question;
- answer questions honestly, even when they are asked for the third or fourth time;
- if something could easily be misread, mention it first.

Agree together what openness looks like for the two of you, and revisit it with your coach as things settle. It is support, not a punishment.`,
      },
      {
        title: "Change the behaviour behind it",
        suggestedDays: 14,
        guidance: `Trust returns through what your partner sees over time, not through promises. Identify the specific behaviour that made the breach possible (a contact you kept, an app you hid, a habit of saying what was easiest) and decide what concretely changes.

Write the changes down, tell your partner what you have done, and then let your actions speak. If you slip, say so yourself before it is discovered.`,
      },
      {
        title: "Understand your why",
        suggestedDays: 21,
        guidance: `With your coach or therapist, look at what led you here. Not to justify it, but so you can recognise the pattern early next time. Some questions to sit with:

1. What was I looking for, and what did I tell myself at the time?
2. What was I avoiding saying, to my partner or to myself?
3. When have I done something like this before?

Share what you learn with your partner when you are both ready; it often helps them feel that it is less likely to happen again.`,
      },
      {
        title: "Respect their healing timeline",
        suggestedDays: 30,
        guidance: `Healing rarely moves in a straight line. Good weeks can be followed by a hard day, often out of nowhere, and that is normal rather than a sign that nothing has worked.

Avoid phrases like "Aren't we past this?". When the hurt resurfaces, listen, acknowledge it again and stay steady. Your patience is part of the repair.`,
      },
      {
        title: "Check in together regularly",
        suggestedDays: 30,
        guidance: `Set a regular, unhurried time, for example once a week, to ask each other:

- What has helped you feel safer this week?
- What still hurts, or worries you?
- Is there anything you need from me that you haven't asked for?

Keep it short and kind. Note anything you want to bring to your next session.`,
      },
    ],
  },
  {
    title: "Healing — for the partner who was hurt",
    summary:
      "For the partner who was hurt. Put the hurt into words, protect yourself with clear boundaries, ask for what you need, " +
      "and take your time deciding what comes next.",
    steps: [
      {
        title: "Name the hurt with I-statements",
        suggestedDays: 5,
        guidance: `Putting the hurt into words helps you and helps your partner understand it. Try sentences that start with *I*: "I felt humiliated when I found the messages", "I keep replaying the night you didn't come home."

I-statements describe your experience instead of accusing, which makes it easier to be heard. You can write them first, and say them when you feel ready.`,
      },
      {
        title: "Set boundaries that protect you",
        suggestedDays: 7,
        guidance: `Boundaries are what you need in order to feel safe while you decide what comes next. They are about your wellbeing, not about punishing anyone. Examples:

- no contact between your partner and the person involved;
- time alone when you ask for it, without having to explain;
- no discussing the details in front of the children.

Say them clearly and calmly, and bring any you are unsure about to your next session.`,
      },
      {
        title: "Say what you need",
        suggestedDays: 7,
        guidance: `Your partner can't guess what would help, and you shouldn't have to hint. Be specific: "I need you to tell me when you'll be late" works better than "I need you to be more considerate."

Your needs may change from week to week. That is fine; say so when they do.`,
      },
      {
        title: "Get support outside the relationship",
        suggestedDays: 14,
        guidance: `You deserve support that doesn't depend on your partner. Think of one or two people you trust (a friend, a sibling, a support group) and let them know what you are going through, as much or as little as you want.

Your sessions here are part of that support too. If you feel overwhelmed or unsafe at any point, tell your coach or therapist straight away.`,
      },
      {
        title: "Take time for yourself",
        suggestedDays: 14,
        guidance: `Hurt takes up a lot of room. Make deliberate space for things that are yours alone:

- sleep, meals and some movement, even a short walk;
- an activity that absorbs you, like music, cooking or being outdoors;
- time with people who make you laugh.

Looking after yourself is not selfish; it is what makes clear decisions possible.`,
      },
      {
        title: "Watch for consistency",
        suggestedDays: 30,
        guidance: `Words are easy; trust grows from what happens over time. Notice whether your partner's actions match what they have said, week after week, and write a line in your check-ins when you see it (or don't).

It's fine for trust to come back slowly. Consistency over months means more than one grand gesture.`,
      },
      {
        title: "Decide about forgiveness, in your own time",
        suggestedDays: null,
        guidance: `Forgiveness is a choice, not a duty, and it has no deadline. It doesn't mean forgetting or saying that what happened was acceptable. For some people it means letting go of the wish to punish; for others it means deciding to rebuild together, or deciding to part kindly.

Explore what forgiveness would mean for you with your coach or therapist before you decide.`,
      },
    ],
  },
  {
    title: "Giving space",
    summary:
      "For when one partner has asked for time apart. Step back without pressure, use the time to look after and work on yourself, " +
      "and reopen communication gently after one to two weeks.",
    steps: [
      {
        title: "Agree what space means",
        suggestedDays: 2,
        guidance: `Space works best when both of you know what it looks like. If you can, agree briefly on:

- roughly how long, for example one to two weeks;
- what contact is still fine, such as practical matters or the children;
- how to reach each other in an emergency.

If your partner isn't ready to agree anything, respect that and keep contact to what is truly necessary.`,
      },
      {
        title: "Step back",
        suggestedDays: 7,
        guidance: `Stepping back shows respect for what your partner asked for, and it is often the most caring thing you can do right now. Keep to the contact you agreed, even when the silence feels hard.

When the urge to reach out is strong, write the message in a journal instead and bring it to your next session.`,
      },
      {
        title: "Let go of pressure",
        suggestedDays: 7,
        guidance: `Pressure, even well-meant, tends to push people further away. For now, avoid:

- grand gestures, gifts or surprise visits;
- checking their social media or asking mutual friends about them;
- sending messages through other people.

Giving space without conditions is what makes it possible for your partner to come back freely.`,
      },
      {
        title: "Work on yourself",
        suggestedDays: 14,
        guidance: `Use this time for yourself rather than waiting. Pick one or two things to focus on:

- your routines: sleep, food, movement;
- friendships you may have neglected;
- what you have learned about yourself in this relationship, explored in your sessions.

Note what you notice in your check-ins; it will help when you talk again.`,
      },
      {
        title: "Reflect on what you want to say",
        suggestedDays: 10,
        guidance: `Before contact resumes, think about what you would like your partner to know. Keep it honest and short: what you have understood, what you are working on, and that you respect their choice whatever it is.

Practise it with your coach if that helps. It is not a speech to win them back but an open door.`,
      },
      {
        title: "Reopen communication gently",
        suggestedDays: 14,
        guidance: `After one to two weeks, reach out once, lightly and without pressure. For example: "I've appreciated the time to think. I'd be glad to talk whenever you feel ready, and there's no rush."

Then let them answer in their own time. If they need longer, that is an answer too; talk it through with your coach before you reach out again.`,
      },
    ],
  },
];

/**
 * Adds the demo templates that aren't there yet (matched by title), owned by `ownerId`.
 * Each template and its steps go in together, in one transaction. Returns how many were added.
 */
export async function seedTemplates(db: Database, ownerId: string) {
  let created = 0;
  for (const template of demoTemplates) {
    const added = await db.transaction(async (tx) => {
      const [existing] = await tx
        .select({ id: planTemplates.id })
        .from(planTemplates)
        .where(eq(planTemplates.title, template.title))
        .limit(1);
      if (existing) return false;
      const [row] = await tx
        .insert(planTemplates)
        .values({ title: template.title, summary: template.summary, ownerId })
        .returning({ id: planTemplates.id });
      await tx.insert(planTemplateSteps).values(
        template.steps.map((step, index) => ({
          templateId: row!.id,
          position: index + 1,
          title: step.title,
          guidance: step.guidance,
          resourceUrl: step.resourceUrl ?? null,
          suggestedDays: step.suggestedDays,
        })),
      );
      return true;
    });
    if (added) created++;
  }
  return created;
}
