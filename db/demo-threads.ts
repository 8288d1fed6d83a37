import { and, eq, sql } from "drizzle-orm";
import { screenText } from "../app/models/risk-screening";
import type { Database } from "./connect";
import { demoCases } from "./demo-cases";
import { auditEvents, caseMembers, cases, postVersions, posts, threadReads, threads, users, type RiskReason, type ThreadStatus } from "./schema";

// The demo practice's questions: threads on the demo cases in every state the triage queue and
// the portal know (new, overdue, due soon, answered, awaiting the client, closed, reopened, one
// urgent), with nested replies, internal notes and one edited post. Written straight to the
// tables with times in the past, following the same rules as the threads model: the status comes
// from the last shared post, waiting_since is the client's last shared post while awaiting staff,
// first_response_at is the first shared staff post, and internal notes never count.
// Idempotent: a thread is identified by its case and title and skipped when it exists.

const HOUR = 60 * 60 * 1000;
/** Hours ago, written as days and hours. */
const d = (days: number, hours = 0) => days * 24 + hours;

type Staff = "casey" | "morgan" | "theo";
const STAFF_EMAILS: Record<Staff, string> = {
  casey: "coach@cairn.test",
  morgan: "coach2@cairn.test",
  theo: "therapist@cairn.test",
};

type DemoPost = {
  /** A name for replies to point at; only needed when someone answers this post. */
  key?: string;
  /** The key of the post this one answers; none for the opening post. */
  to?: string;
  by: "client" | Staff;
  /** Hours ago. */
  at: number;
  body: string;
  note?: true;
  /** The post was corrected shortly after: its earlier text, and how many minutes later. */
  edited?: { before: string; minutesLater: number };
};
type DemoClose = { close: Staff; at: number };
type DemoEntry = DemoPost | DemoClose;

export type DemoThread = {
  /** The demo case's client; each demo client has one case. */
  client: string;
  title: string;
  /** Who the thread is assigned to; by default the first staff member who answers it. */
  assignee?: Staff | null;
  /** The client hasn't opened the latest staff reply yet (a "New reply" mark). */
  unread?: true;
  entries: DemoEntry[];
};

const JORDAN = "client@cairn.test";
const RILEY = "riley@cairn.test";
const SAM = "sam@cairn.test";
const ALEX = "alex@cairn.test";
const PRIYA = "priya@cairn.test";
const NOAH = "noah@cairn.test";
const MEI = "mei@cairn.test";
const DANA = "dana@cairn.test";

export const demoThreads: DemoThread[] = [
  // Jordan read their partner Sasha's phone; Theo leads, Casey supports.
  {
    client: JORDAN,
    title: "The urge to check came back last night",
    assignee: "theo",
    unread: true,
    entries: [
      {
        key: "q",
        by: "client",
        at: d(2, 5),
        body: "Sasha left their phone on the sofa while they showered and I felt the old pull straight away. I didn't pick it up. I went out on the balcony until it passed, and when they came out I told them about it, like we agreed.\n\nThey said thank you, but went quiet afterwards, and I can't tell whether telling them helped or just brought everything back. Should I keep saying it out loud every time?",
      },
      {
        key: "r1",
        to: "q",
        by: "theo",
        at: d(1, 20),
        body: "Jordan, standing on the balcony until it passed is exactly the kind of small, real change that rebuilds trust. Well done.\n\nA quiet reaction doesn't mean telling them was a mistake. Hearing it can bring the memory back for Sasha *and* reassure them; both can be true at once. Keep telling them for now. At our next session we can talk about asking Sasha how they'd like to hear it, so the agreement works for both of you.",
      },
      {
        to: "q",
        by: "theo",
        at: d(1, 19),
        note: true,
        body: "Urges are less frequent: twice this week, against daily in the first week. Ask about the anxiety underneath them on Thursday.",
      },
      {
        key: "r2",
        to: "r1",
        by: "client",
        at: d(1, 8),
        body: "That helps. I think I was waiting for them to say it's fine now, and it isn't, not yet. I'll ask them on Sunday how they'd like me to tell them.",
      },
      {
        to: "r2",
        by: "casey",
        at: 6,
        body: "That's a generous way to put it, Jordan: \"not yet\" leaves room for later. Sunday sounds like a good moment. If it helps, start with one question rather than a whole conversation:\n\n> When I tell you about the urge, what would you like me to say, or not say?",
      },
    ],
  },
  {
    client: JORDAN,
    title: "Is it normal to feel angry at myself all the time?",
    entries: [
      {
        key: "q",
        by: "client",
        at: d(30),
        body: "Since I owned up, I keep replaying the night I looked at the messages. I'm angrier at myself now than I was at the start. Sasha has begun to be kind to me again, and somehow that makes it worse.",
      },
      {
        key: "r1",
        to: "q",
        by: "theo",
        at: d(29, 20),
        body: "It's common, and it says something good about you: you're letting in the hurt you caused. But guilt that loops all day isn't the same as responsibility, and it can crowd out the repair itself.\n\nTry this for a week. When the replay starts, name it (\"there's the replay\"), then ask yourself what one thing a trustworthy partner would do today. Then do that one thing.",
      },
      {
        key: "r2",
        to: "r1",
        by: "client",
        at: d(28),
        body: "I tried it. Today's one thing was cooking dinner and leaving my phone in the other room. Small, but it felt like something.",
      },
      {
        to: "r2",
        by: "theo",
        at: d(27, 22),
        body: "Small is the point. Those are the moments Sasha will remember. I'll close this question for now; start a new one whenever you want to pick it up again.",
      },
      { close: "theo", at: d(27, 21) },
    ],
  },
  {
    client: JORDAN,
    title: "How do I answer when Sasha asks why I did it?",
    assignee: null,
    entries: [
      {
        by: "client",
        at: 3,
        body: "Sasha asked me last night why I went through their phone in the first place. I started explaining about the months when they worked late and I felt shut out, and I could see it landing as blame. I stopped halfway.\n\nWhat's a better way to answer that honestly, without making it their fault?",
      },
    ],
  },
  {
    client: JORDAN,
    title: "Your transparency agreement, in writing",
    entries: [
      {
        key: "q",
        by: "casey",
        at: d(12, 2),
        body: "Hi Jordan, thank you for the call today. As promised, here is what you and Sasha agreed, so you both have it in writing:\n\n- You tell Sasha on the day when you notice the urge to check.\n- Sunday evenings are phone-free for both of you.\n- If either of you feels uneasy, you say so, and the other listens before answering.\n\nDoes that match what you remember? Anything you'd add?",
      },
      {
        key: "r1",
        to: "q",
        by: "client",
        at: d(11, 18),
        body: "That's it exactly. Sasha asked if we could add one more: no checking each other's location. I agreed straight away.",
      },
      {
        to: "r1",
        by: "casey",
        at: d(11, 4),
        body: "Added. That one matters, and agreeing to it without hesitating says a lot. Let's see how all four feel at the end of the month.",
      },
      {
        to: "r1",
        by: "casey",
        at: d(11, 3),
        note: true,
        body: "The location rule was Sasha's request. Jordan had location sharing switched on until this week; worth Theo knowing before Thursday.",
      },
    ],
  },
  {
    client: JORDAN,
    title: "Sasha's birthday: too much, too soon?",
    entries: [
      {
        key: "q",
        by: "client",
        at: d(20, 3),
        body: "Sasha's birthday is in two weeks. Before all this I'd have planned a big surprise weekend away. Now I'm worried a grand gesture will look like I'm trying to buy my way out of it. But doing nothing feels cold.",
      },
      {
        key: "r1",
        to: "q",
        by: "casey",
        at: d(19, 22),
        body: "You've named the trap well. A big surprise right now can feel like pressure to be happy with you. Something smaller, chosen together, often lands better: ask Sasha what they'd like the day to be, and offer one or two ideas rather than a plan. The care is in the listening.",
      },
      {
        to: "r1",
        by: "client",
        at: d(19, 5),
        body: "I asked. They'd like a quiet dinner at the place we went on our first date, and for me to leave my phone at home all evening. An easy yes.",
      },
      { close: "casey", at: d(19, 2) },
    ],
  },

  // Riley's small lie about a work trip grew into months of cover stories; Casey leads.
  {
    client: RILEY,
    title: "Every ordinary question feels like a test now",
    assignee: null,
    entries: [
      {
        by: "client",
        at: d(1, 7),
        body: "Tom asked where I'd been this afternoon and I could hear him bracing for another story. I was at the dentist. I even showed him the appointment card, and then felt ridiculous, like I was on trial.\n\nIs this what it's going to be like from now on? How long before a normal question is just a normal question again?",
      },
    ],
  },
  {
    client: RILEY,
    title: "Do I tell him about the smaller lies too?",
    entries: [
      {
        key: "q",
        by: "client",
        at: d(12),
        body: "When I admitted the work trip wasn't real, I didn't mention the smaller things around it: the receipt I said I'd lost, the excuse about my sister. None of them matter much on their own. Do I bring them up now, or would that just reopen everything?",
      },
      {
        key: "r1",
        to: "q",
        by: "casey",
        at: d(11, 20),
        body: "This is a brave question to ask. The small cover stories are part of the same lie, and Tom may already half-know about some of them. If he comes across one later on his own, it can feel like the first discovery all over again. Telling him yourself, once and plainly, is usually kinder in the long run, even though it stings now.\n\nIt can help to write them down first, so you say them all at once rather than in pieces over weeks.",
      },
      {
        key: "r2",
        to: "r1",
        by: "client",
        at: d(10, 4),
        body: "I wrote them down. There were five. I'm planning to tell him on Saturday morning, when neither of us has to be anywhere.",
      },
      {
        key: "r3",
        to: "r2",
        by: "casey",
        at: d(10, 1),
        body: "Saturday morning sounds right. Afterwards, give him room to react however he needs to, and don't ask for forgiveness in the same conversation. Let me know how it goes.",
      },
      {
        key: "r4",
        to: "r3",
        by: "client",
        at: d(7, 9),
        body: "I told him. The one about my sister upset him most, because she'd covered for me without knowing why. But he also said it was the first time in months he felt I was telling him everything. We talked until lunch.",
      },
      {
        to: "r4",
        by: "casey",
        at: d(7, 3),
        note: true,
        body: "A real shift: Riley has moved from \"how do I fix this fast\" to owning it. Consider opening step 3 of the plan early.",
      },
      {
        to: "r4",
        by: "casey",
        at: d(7, 2),
        body: "Riley, that's a turning point. \"Telling him everything\" is exactly what trust grows from. It may be worth talking to your sister too, in your own words. How are you feeling now that it's done?",
      },
    ],
  },
  {
    client: RILEY,
    title: "Apologising without it sounding rehearsed",
    entries: [
      {
        key: "q",
        by: "client",
        at: d(14, 6),
        body: "Every time I apologise to Tom it comes out like a speech. He says it sounds practised, and honestly it is, because I go over it in my head all day. How do I say sorry in a way that sounds like I mean it?",
        edited: {
          before:
            "Every time I apologise to Tom it comes out like a speech. He says it sounds practiced, and honestly it is, because I go over it in my head all day. How do I say sorry in a way that sounds like I mean it.",
          minutesLater: 4,
        },
      },
      {
        key: "r1",
        to: "q",
        by: "casey",
        at: d(13, 23),
        body: "It probably sounds practised because you're working so hard to get it right, and that is a kind of care. Try shorter: what you did, that it was wrong, and how you think it affected him. Then stop, and let him answer. A real apology leaves a gap for the other person; it doesn't try to fill it.",
      },
      {
        to: "r1",
        by: "client",
        at: d(13, 2),
        body: "I tried the short version. Three sentences. He didn't say much, but he held my hand afterwards.",
      },
      { close: "casey", at: d(13, 1) },
    ],
  },
  {
    client: RILEY,
    title: "Should I offer to show Tom my messages?",
    assignee: null,
    entries: [
      {
        by: "client",
        at: 20,
        body: "Tom hasn't asked, but I keep thinking about offering to show him my phone whenever he wants. Part of me thinks it would help him relax. Part of me worries it would turn us into people who check on each other. What do you usually suggest?",
      },
    ],
  },
  {
    client: RILEY,
    title: "My sister has been short with me since",
    assignee: null,
    entries: [
      {
        by: "client",
        at: 1,
        body: "After I told Tom about the excuses, I rang my sister to apologise for dragging her into it. She said it was fine, but she's been short with me ever since. Should I bring it up again, or give her time?",
      },
    ],
  },

  // Sam found months of messages between their partner Lee and a colleague; Theo leads.
  {
    client: SAM,
    title: "I keep looking her up",
    assignee: "theo",
    entries: [
      {
        key: "q",
        by: "client",
        at: d(4, 3),
        body: "I know it doesn't help, but I keep looking at the colleague's profile to see if she's still in Lee's team. She is. Every time I look I feel sick, and then I look again the next day. How do I stop?",
      },
      {
        key: "r1",
        to: "q",
        by: "theo",
        at: d(3, 22),
        body: "Sam, thank you for being honest about this. Checking is a very human way to try to feel safe after being deceived: the mind is looking for certainty. The trouble is that it never quite delivers it, so the loop goes on.\n\nTwo things may help. First, say what you need directly to Lee: do you want to know about contact at work, and how? Second, when the urge comes, notice it, breathe for a minute, and write the worry down instead of searching. We can look at what you wrote next session.",
      },
      {
        to: "r1",
        by: "client",
        at: d(1, 2),
        body: "I asked Lee. He said he's already asked to move to another team and will tell me when it's confirmed. I didn't know he'd done that. I haven't looked since Sunday.",
      },
    ],
  },
  {
    client: SAM,
    title: "What does deciding about forgiveness actually mean?",
    entries: [
      {
        key: "q",
        by: "client",
        at: d(20),
        body: "The last step of my plan is \"decide about forgiveness\" and I don't know what that means. Does forgiving Lee mean I stop being hurt? Because I don't think that happens on a schedule.",
      },
      {
        key: "r1",
        to: "q",
        by: "theo",
        at: d(19, 20),
        body: "It doesn't mean that at all. Forgiveness, as we use the word here, is a decision about how you want to carry what happened, not a promise to stop feeling it. Some people forgive and stay, some forgive and leave, some decide not to forgive and still find peace. There's no deadline on this step, and \"not yet\" is a complete answer.",
      },
      {
        key: "r2",
        to: "r1",
        by: "client",
        at: d(19, 3),
        body: "\"Not yet\" is a relief to hear. Can I mark the step done if my answer is \"not yet\"?",
      },
      {
        to: "r2",
        by: "theo",
        at: d(18, 23),
        note: true,
        body: "Sam is less flat than a month ago and sleeping better. Keep the risk on watch for now; review in two weeks.",
      },
      {
        to: "r2",
        by: "theo",
        at: d(18, 22),
        body: "Yes. The step is to decide, and \"not yet, and here's what I'd need to see first\" is a real decision. Write down what you'd need to see; it will be useful to both of you.",
      },
      { close: "theo", at: d(18, 20) },
    ],
  },
  {
    client: SAM,
    title: "Lee would like us to come to sessions together",
    assignee: "theo",
    unread: true,
    entries: [
      {
        key: "q",
        by: "client",
        at: d(2, 4),
        body: "Lee asked whether we could do some sessions together. I think I want to, but I'm scared I'll fall apart in front of him, or that it turns into him explaining himself for an hour. Is that something you offer, and how would it work?",
      },
      {
        to: "q",
        by: "theo",
        at: 6,
        body: "We do, and it's a good sign that Lee is asking. Joint sessions work best with a few ground rules, and you get a say in them: you could ask that the first one is about how you've been affected, not about his reasons. It's fine to take breaks, or to stop.\n\nI'd suggest one session on our own first, so we can plan it together. Shall I offer you a time next week?",
      },
    ],
  },
  {
    client: SAM,
    title: "A flat day, nothing specific",
    entries: [
      {
        key: "q",
        by: "client",
        at: d(40),
        body: "Nothing happened today, which is almost the problem. I woke up feeling hollow and stayed that way. Lee was kind all evening and I couldn't feel anything about it. I'm not sure why I'm writing this. Maybe just so someone knows.",
      },
      {
        key: "r1",
        to: "q",
        by: "theo",
        at: d(39, 21),
        body: "I'm glad you wrote, Sam. Days like this are part of it, and telling someone is the right move. I'll ask what I ask in our sessions: are you safe, and have you had thoughts of harming yourself? Please answer honestly; there's no wrong answer. If things feel worse tonight, the crisis line in your welcome pack is there around the clock.",
      },
      {
        key: "r2",
        to: "r1",
        by: "client",
        at: d(39, 14),
        body: "I'm safe. No thoughts like that, just tired and flat. I went for a walk this morning with my friend Ade and it helped a bit.",
      },
      {
        to: "r2",
        by: "theo",
        at: d(39, 10),
        note: true,
        body: "Asked directly about safety: Sam says they are safe, with no such thoughts. Flat, sleeping poorly. Risk stays on watch.",
      },
      {
        to: "r2",
        by: "theo",
        at: d(39, 9),
        body: "Thank you for telling me. A walk with Ade was a good instinct; keep a few of those in the week. We'll talk more on Thursday.",
      },
      { close: "theo", at: d(35) },
    ],
  },
  {
    client: SAM,
    title: "Telling my friends",
    entries: [
      {
        key: "q",
        by: "client",
        at: d(12),
        body: "My closest friends don't know what happened; Ade knows a little. I'm tired of pretending everything's fine at dinners, but I'm afraid that if I tell them, they'll never see Lee the same way again.",
      },
      {
        key: "r1",
        to: "q",
        by: "theo",
        at: d(11, 21),
        body: "You don't owe anyone the whole story, and you don't have to choose between telling everything and pretending. Some people tell one or two friends fully and keep a simple line for everyone else, such as \"We've had a hard year and we're working on it.\" It's your story, to share at your pace.",
      },
      { to: "r1", by: "client", at: d(11, 5), body: "The simple line is good. I'll use that." },
      { close: "theo", at: d(10) },
      {
        to: "r1",
        by: "client",
        at: 9,
        body: "Coming back to this. I told two friends everything at the weekend and they were kinder than I expected. But one of them now keeps asking whether I'm \"really sure\" about staying. How do I answer without ending up defending Lee?",
      },
    ],
  },

  // Alex's long-distance partner Jonas saw an ex on a visit home; Morgan leads; the case is paused.
  {
    client: ALEX,
    title: "How long is \"some space\"?",
    entries: [
      {
        key: "q",
        by: "client",
        at: d(38),
        body: "Jonas and I agreed to give each other space after he told me about seeing Mira when he was home. We never said for how long. Every day I don't hear from him, I wonder whether the silence is the answer. How do people decide how long it should be?",
      },
      {
        key: "r1",
        to: "q",
        by: "morgan",
        at: d(37, 21),
        body: "That uncertainty is one of the hardest parts. Open-ended space tends to fill up with worst-case stories, so it helps to agree a length (often one to two weeks) and a way to reconnect at the end, such as a call at a set time. If you didn't set one, it's reasonable to send Jonas a short message proposing it. Keep it about the arrangement, not the relationship.",
      },
      {
        to: "r1",
        by: "client",
        at: d(37, 2),
        body: "I sent him: \"Can we talk on Sunday the 14th at 8pm your time?\" He said yes straight away. That helped more than I expected.",
      },
      { close: "morgan", at: d(37) },
    ],
  },
  {
    client: ALEX,
    title: "Can I pause while we're apart?",
    entries: [
      {
        key: "q",
        by: "client",
        at: d(21, 4),
        body: "Jonas and I have agreed to two weeks without contact while he's travelling, and I'd like to pause our work for that time too. Is that allowed? I don't want it to look like I'm giving up.",
      },
      {
        to: "q",
        by: "morgan",
        at: d(20, 22),
        body: "Of course, and it doesn't look like giving up at all. Resting during agreed space is sensible. I'll pause your case; your plan and everything we've written stay exactly where they are. When you're ready, write here and we'll pick up again.",
      },
      { close: "morgan", at: d(20, 21) },
    ],
  },
  {
    client: ALEX,
    title: "Before our call on Sunday",
    assignee: null,
    entries: [
      {
        by: "client",
        at: d(2, 2),
        body: "The two weeks are nearly up and Jonas and I have a call on Sunday. I'd like to restart our sessions before then if that's possible. I've written down what I want to ask him, mostly whether he has told Mira it's over, and how I would know. Could we look at it together first?",
      },
    ],
  },

  // Priya's arguments about money began when her partner Arun learned of money sent home in secret; Casey leads.
  {
    client: PRIYA,
    title: "Something I left off the intake form",
    assignee: null,
    entries: [
      {
        by: "client",
        at: d(1, 6),
        body: "I filled in the intake form, but there's something I didn't know how to put there. The arguments about money started after Arun found out I'd been sending my parents money every month without telling him. I never thought of it as lying until he used the word. I'd like us to talk about that part too.",
      },
    ],
  },
  {
    client: PRIYA,
    title: "What happens in the first session?",
    entries: [
      {
        key: "q",
        by: "client",
        at: d(2, 20),
        body: "I've never done anything like this before. What happens in the first session? Do I need to bring anything?",
      },
      {
        to: "q",
        by: "casey",
        at: d(2, 16),
        body: "Welcome, Priya. The first session is mostly listening: you tell me what's been happening, what you'd like to change, and what a good outcome would look like for you. You don't need to bring anything. If one argument stands out, it can help to jot down what was said, but only if you'd like to.",
      },
    ],
  },
  {
    client: PRIYA,
    title: "A time for your first session",
    unread: true,
    entries: [
      {
        by: "casey",
        at: d(2, 10),
        body: "Hi Priya, I'd like to find a time for our first session. I have Tuesday at 6.30pm or Thursday at 7pm free next week. Would either suit you? If neither works, suggest a time and I'll do my best to make it.",
      },
    ],
  },

  // Noah's partner Elena ended a secret friendship with an ex; Theo led; the case is closed.
  {
    client: NOAH,
    title: "Trusting her phone calls again",
    entries: [
      {
        key: "q",
        by: "client",
        at: d(100),
        body: "Elena sometimes takes work calls in the other room. Before, I wouldn't have noticed. Now my whole body goes tense until she comes back. I haven't said anything because I don't want to be the suspicious one.",
      },
      {
        key: "r1",
        to: "q",
        by: "theo",
        at: d(99, 20),
        body: "Noah, tensing up after what you learned is a normal reaction, not a flaw. Staying silent leaves you carrying it alone, though. You could tell Elena what happens in you, with an I-statement:\n\n> When you take a call in the other room, I notice I get tense. It's not an accusation; I'd just like you to know.\n\nThen ask what would help, rather than asking her to stop.",
      },
      {
        to: "r1",
        by: "client",
        at: d(98),
        body: "I said almost exactly that. She didn't get defensive. She said she'd tell me who she's talking to when she steps out, and she has, every time since.",
      },
      { close: "theo", at: d(97, 22) },
    ],
  },
  {
    client: NOAH,
    title: "Her ex messaged her again",
    entries: [
      {
        key: "q",
        by: "client",
        at: d(75),
        body: "Elena showed me a message from her ex this morning, a happy birthday. She hasn't replied, and she showed me without my asking. I don't know whether to feel reassured or worried. Both, I think.",
      },
      {
        key: "r1",
        to: "q",
        by: "theo",
        at: d(74, 21),
        body: "Both makes complete sense. Something reassuring happened (she came to you, unprompted), and it also touched the old wound. It might help to tell her the first part clearly: that her showing you meant something. Consistency like this is one of the signs your plan asks you to watch for.",
      },
      {
        to: "q",
        by: "theo",
        at: d(74, 20),
        note: true,
        body: "First contact from the ex since the friendship ended. Elena disclosed it herself, in line with their openness agreement. Watch Noah's reaction at Tuesday's session.",
      },
      {
        key: "r2",
        to: "r1",
        by: "client",
        at: d(74, 3),
        body: "I told her. She said she'd been nervous I'd be angry. We ended up talking about the friendship more calmly than we ever have.",
      },
      {
        to: "r2",
        by: "theo",
        at: d(73, 23),
        body: "That's a big moment, Noah. A calm conversation about the hardest subject is how a couple learns it can survive it. Let's talk about it on Tuesday.",
      },
      { close: "theo", at: d(73, 20) },
    ],
  },
  {
    client: NOAH,
    title: "Staying feels like a choice now",
    entries: [
      {
        key: "q",
        by: "client",
        at: d(26),
        body: "For months it felt like I was staying because leaving was too hard. This week I realised I'm choosing to stay. I don't really have a question; I wanted to write it down somewhere.",
      },
      {
        to: "q",
        by: "theo",
        at: d(25, 20),
        body: "Thank you for sharing this, Noah. Moving from \"stuck\" to \"choosing\" is one of the clearest signs of healing I know. Write it down for yourself as well; on harder days it will be worth rereading.",
      },
      { close: "theo", at: d(25, 18) },
    ],
  },
  {
    client: NOAH,
    title: "Is it all right to finish?",
    entries: [
      {
        key: "q",
        by: "client",
        at: d(13),
        body: "I think I'm ready to finish. Is it okay to stop even though I still have the occasional bad day?",
      },
      {
        key: "r1",
        to: "q",
        by: "theo",
        at: d(12, 20),
        body: "Yes. Finishing doesn't mean never having a bad day; it means you have what you need to handle them. Let's use our next session to look back at what's changed and plan for the wobbles. You're always welcome back.",
      },
      { to: "r1", by: "client", at: d(12, 4), body: "Thank you, for all of it." },
      { close: "theo", at: d(10) },
    ],
  },

  // Mei hid a growing debt from her husband Kenji; Morgan leads, Theo supports; the case is urgent.
  {
    client: MEI,
    title: "I don't know how to get through the nights",
    assignee: "morgan",
    entries: [
      {
        key: "q",
        by: "client",
        at: d(4, 4),
        body: "It's nearly 4am and I still can't sleep. Kenji hasn't answered my messages since Tuesday. I keep adding up the numbers on those statements and seeing his face when he found them. Some nights I feel there's no point in living with what I've done, and in the morning I'm ashamed I even thought it. I didn't know who else to tell.",
      },
      {
        key: "r1",
        to: "q",
        by: "morgan",
        at: d(4, 3.5),
        body: "Mei, thank you for telling me. I'm really glad you did, and I'm taking what you wrote seriously.\n\nIf at any point you feel you might act on these thoughts, please call your local emergency number or the crisis line now; they answer all night, and you don't need to be sure it's an emergency to call.\n\nI'll phone you at 9 this morning. Until then, is there someone you could be with or call tonight? What happened with the money is something we can work on together. It doesn't make you someone who deserves to suffer.",
      },
      {
        to: "q",
        by: "morgan",
        at: d(3, 19),
        note: true,
        body: "Called Mei at 9:05. No plan and nothing in mind to act with; the thoughts come at night when she's alone. Safety plan agreed: her sister Yumi stays with her this week, crisis line saved in her phone, a daily message here. Theo to see her on Thursday. Keep the thread urgent until Theo has seen her.",
      },
      {
        key: "r2",
        to: "r1",
        by: "client",
        at: d(3, 18),
        body: "Thank you for calling. Yumi came over at lunchtime and is staying until Sunday. I slept for a few hours. I'm still frightened about what happens with Kenji, but I feel less alone with it.",
      },
      {
        key: "r3",
        to: "r2",
        by: "theo",
        at: d(2, 3),
        body: "Mei, it was good to meet you today. You did something hard in that room: you talked about the debt without hiding any of it. Keep the safety plan going this week, message Morgan each day as you agreed, and I'll see you again on Monday.",
      },
      {
        to: "r3",
        by: "client",
        at: 5,
        body: "Last evening was harder. Kenji sent a message saying he needs more time and I spiralled a little, but I used the plan: I told Yumi and we went for a walk. I'm okay this morning. Could we talk on Monday about how to answer him?",
      },
    ],
  },
  {
    client: MEI,
    title: "Do I explain myself to Kenji's family?",
    assignee: null,
    entries: [
      {
        by: "client",
        at: 22,
        body: "Kenji's brother called me today. He was polite, but it's clear Kenji has told him everything. I don't know whether I should explain myself to his family or leave that to Kenji. I don't want to make it worse, and I don't want to look as if I'm hiding again.",
      },
    ],
  },
  {
    client: MEI,
    title: "Your daily message",
    unread: true,
    entries: [
      {
        key: "q",
        by: "morgan",
        at: d(3, 16),
        body: "Hi Mei, as we agreed on the phone, a short message here each day is plenty: how you slept, one thing you did, and how you're feeling. No need to write more than a line or two.",
      },
      { key: "m1", to: "q", by: "client", at: d(3, 4), body: "Day one. Slept five hours. Had breakfast with Yumi." },
      { to: "m1", by: "morgan", at: d(3, 2), body: "Thank you, Mei. Five hours is a start, and breakfast with Yumi counts." },
      { key: "m2", to: "q", by: "client", at: d(2, 6), body: "Day two. Harder morning, better afternoon. I went in to work." },
      { to: "m2", by: "morgan", at: d(2, 4), body: "Going in to work on a hard morning takes something. Well done." },
      { key: "m3", to: "q", by: "client", at: d(1, 5), body: "Day three. Kenji answered my message. Only two lines, but he answered." },
      {
        to: "m3",
        by: "morgan",
        at: d(1, 1),
        body: "Two lines is a door left open. Go gently with your reply; we can look at it together on Monday if you'd like.",
      },
    ],
  },

  // Dana and Rowan gave each other room after a hard month; Casey leads, Theo supports.
  {
    client: DANA,
    title: "Rowan wants to move back in next month",
    assignee: "casey",
    entries: [
      {
        by: "client",
        at: d(3, 2),
        body: "Since our coffee two weeks ago we've been meeting twice a week, and it's going well. Last night Rowan asked if we could move back in together next month. Part of me wants to say yes right away. Part of me remembers how fast things went wrong last time. How do we know when we're ready?",
      },
    ],
  },
  {
    client: DANA,
    title: "Walking instead of journaling",
    entries: [
      {
        key: "q",
        by: "client",
        at: d(10),
        body: "The plan says to keep a journal during the space, but I've tried three times and I just stare at the page. I think better when I walk. Is it okay if I skip that step?",
      },
      {
        key: "r1",
        to: "q",
        by: "casey",
        at: d(9, 21),
        body: "Absolutely. The point of that step is to give your thoughts somewhere to go, and walking does that for lots of people. If you like, record a short voice note at the end of a walk with one thing you noticed. Mark the step as skipped and we'll talk about the walks instead.",
      },
      { to: "r1", by: "client", at: d(9, 8), body: "Voice notes are perfect. I did one today by the canal." },
      { close: "casey", at: d(8, 23) },
    ],
  },
  {
    client: DANA,
    title: "Our first coffee after two weeks apart",
    entries: [
      {
        key: "q",
        by: "client",
        at: d(16),
        body: "The two weeks are up on Sunday. I want to suggest coffee to Rowan, but I don't know what we should talk about. Do we go straight into what happened?",
      },
      {
        key: "r1",
        to: "q",
        by: "casey",
        at: d(15, 22),
        body: "Not necessarily. A first meeting after space often works best when it's short and light: how you've each been, something you've enjoyed, nothing you need to settle. It shows you both that you can be together without it turning into a fight. The bigger conversations can come later.",
      },
      { key: "r2", to: "r1", by: "client", at: d(15, 4), body: "And if Rowan brings up the argument?" },
      {
        key: "r3",
        to: "r2",
        by: "theo",
        at: d(15, 1),
        body: "Then you can listen, and say something like \"I want to talk about that properly. Can we choose a time for it?\" That isn't avoiding it; it's choosing a moment when you both have the energy.",
      },
      { to: "r3", by: "client", at: d(14, 5), body: "That's a sentence I can remember. Thank you both." },
      { close: "casey", at: d(14) },
    ],
  },
  {
    client: DANA,
    title: "Could Rowan join a session?",
    assignee: "theo",
    unread: true,
    entries: [
      { key: "q", by: "client", at: d(5, 3), body: "Rowan has asked whether they could join one of our sessions. Is that something Theo does?" },
      {
        to: "q",
        by: "casey",
        at: d(4, 23),
        note: true,
        body: "Theo has space on Wednesday evenings. I'll stay lead; Theo to run any joint sessions.",
      },
      {
        to: "q",
        by: "theo",
        at: d(4, 22),
        body: "It is, Dana. A joint session can help you both agree how you'd like to talk about the harder topics. I'd suggest we meet once on our own first, so you can tell me what you'd like from it. Would next Wednesday evening work?",
      },
    ],
  },
];

const isPost = (entry: DemoEntry): entry is DemoPost => "body" in entry;

type AuditRow = typeof auditEvents.$inferInsert;

export async function seedThreads(db: Database, now = new Date()) {
  const allUsers = await db.select({ id: users.id, email: users.email, name: users.name }).from(users);
  const person = (email: string) => {
    const found = allUsers.find((u) => u.email === email);
    if (!found) throw new Error(`demo user ${email} is missing; seed the accounts first`);
    return found;
  };
  const ago = (hours: number) => new Date(now.getTime() - hours * HOUR);
  let created = 0;

  for (const demo of demoThreads) {
    const demoCase = demoCases.find((c) => c.client === demo.client);
    if (!demoCase) throw new Error(`no demo case for ${demo.client}`);
    const client = person(demo.client);
    const [theCase] = await db
      .select({ id: cases.id })
      .from(cases)
      .where(and(eq(cases.clientId, client.id), eq(cases.title, demoCase.title)));
    if (!theCase) throw new Error(`demo case "${demoCase.title}" is missing; seed the cases first`);
    const caseId = theCase.id;
    const [existing] = await db
      .select({ id: threads.id })
      .from(threads)
      .where(and(eq(threads.caseId, caseId), eq(threads.title, demo.title)));
    if (existing) continue;

    // Only the case's client and its staff members take part.
    const members = await db.select({ userId: caseMembers.userId }).from(caseMembers).where(eq(caseMembers.caseId, caseId));
    const staff = (who: Staff) => {
      const found = person(STAFF_EMAILS[who]);
      if (!members.some((m) => m.userId === found.id)) throw new Error(`${found.email} is not on the case "${demoCase.title}"`);
      return found;
    };
    const author = (by: DemoPost["by"]) => (by === "client" ? client : staff(by));

    const entries = [...demo.entries].sort((a, b) => b.at - a.at);
    const opening = entries[0];
    if (!opening || !isPost(opening) || opening.to || opening.note) throw new Error(`"${demo.title}" must open with a shared post`);

    await db.transaction(async (tx) => {
      const starter = author(opening.by);
      const createdAt = ago(opening.at);
      const [thread] = await tx
        .insert(threads)
        .values({ caseId, title: demo.title, createdBy: starter.id, createdAt, lastActivityAt: createdAt })
        .returning({ id: threads.id });
      const threadId = thread!.id;
      const fromWhom = (by: DemoPost["by"]) => (by === "client" ? "client" : "staff");
      const target = { targetType: "thread", targetId: threadId } as const;
      const events: AuditRow[] = [];
      const event = (e: Omit<AuditRow, "caseId">) => events.push({ ...e, caseId });

      let status: ThreadStatus = opening.by === "client" ? "awaiting_staff" : "awaiting_client";
      let waitingSince: Date | null = null;
      let firstResponseAt: Date | null = null;
      let closedAt: Date | null = null;
      let lastActivityAt = createdAt;
      let firstResponder: Staff | null = null;
      const riskReasons: RiskReason[] = [];
      const postIds = new Map<string, string>();
      const lastSeen = new Map<string, Date>();
      let clientLastPostAt: Date | null = null;
      let lastSharedStaffPostAt: Date | null = null;

      for (const entry of entries) {
        const at = ago(entry.at);
        if (at > lastActivityAt) lastActivityAt = at;
        if (!isPost(entry)) {
          const closer = staff(entry.close);
          status = "closed";
          closedAt = at;
          waitingSince = null;
          event({ actorId: closer.id, action: "thread.closed", ...target, details: { threadId }, createdAt: at });
          lastSeen.set(closer.id, at);
          continue;
        }
        const who = author(entry.by);
        const parentId = entry.to ? postIds.get(entry.to) : null;
        if (entry.to && !parentId) throw new Error(`"${demo.title}": a reply points at "${entry.to}", which comes later or doesn't exist`);
        const visibility = entry.note ? "internal" : "shared";
        if (entry.note && entry.by === "client") throw new Error(`"${demo.title}": clients can't write internal notes`);
        const editedAt = entry.edited ? new Date(at.getTime() + entry.edited.minutesLater * 60 * 1000) : null;
        const [post] = await tx
          .insert(posts)
          .values({ threadId, parentId, authorId: who.id, body: entry.body, visibility, createdAt: at, editedAt })
          .returning({ id: posts.id });
        const postId = post!.id;
        if (entry.key) postIds.set(entry.key, postId);
        lastSeen.set(who.id, at);
        if (entry.edited) {
          await tx.insert(postVersions).values({ postId, body: entry.edited.before, replacedAt: editedAt! });
          event({
            actorId: who.id,
            action: "thread.post_edited",
            targetType: "post",
            targetId: postId,
            details: { threadId, postId, visibility },
            createdAt: editedAt!,
          });
        }

        const by = fromWhom(entry.by);
        if (entry === opening) {
          event({ actorId: who.id, action: "thread.started", ...target, details: { threadId, by }, createdAt: at });
        } else if (entry.note) {
          event({ actorId: who.id, action: "thread.internal_note", ...target, details: { threadId, postId, by }, createdAt: at });
          continue; // internal notes never change the status or count as a response
        } else {
          event({ actorId: who.id, action: "thread.replied", ...target, details: { threadId, postId, by }, createdAt: at });
        }

        if (entry.by === "client") {
          if (status === "closed") {
            // A client's reply to a closed thread reopens it.
            event({ actorId: who.id, action: "thread.reopened", ...target, details: { threadId, byReply: true }, createdAt: at });
            closedAt = null;
          }
          status = "awaiting_staff";
          waitingSince = at;
          clientLastPostAt = at;
          // Screened as the model does: the opening post together with the title.
          const matches = screenText(entry === opening ? `${demo.title}\n${entry.body}` : entry.body);
          if (matches.length) {
            for (const match of matches) riskReasons.push({ ...match, postId, at: at.toISOString() });
            // The system flags, so the row has no actor ("Cairn flagged …").
            event({
              actorId: null,
              action: "thread.flagged",
              ...target,
              details: { threadId, postId, rules: matches.map((m) => m.ruleId), labels: matches.map((m) => m.label) },
              createdAt: at,
            });
          }
        } else {
          if (status === "closed") throw new Error(`"${demo.title}": staff reply to a closed thread`);
          status = "awaiting_client";
          waitingSince = null;
          // A thread a practitioner starts has had its response from the start.
          firstResponseAt ??= at;
          firstResponder ??= entry.by;
          lastSharedStaffPostAt = at;
        }
      }

      const assigneeKey = demo.assignee === undefined ? firstResponder : demo.assignee;
      const assignee = assigneeKey ? staff(assigneeKey) : null;
      if (assignee) {
        // Assigned by whoever first answered, or by the lead soon after the question came in.
        const lead = staff(
          (Object.keys(STAFF_EMAILS) as Staff[]).find((s) => STAFF_EMAILS[s] === demoCase.lead) ?? "casey",
        );
        const by = firstResponder ? staff(firstResponder) : lead;
        const at = firstResponseAt ?? new Date(Math.min(createdAt.getTime() + HOUR, now.getTime()));
        event({
          actorId: by.id,
          action: "thread.assigned",
          ...target,
          details: { threadId, from: null, to: assignee.id, assigneeName: assignee.name },
          createdAt: at,
        });
      }

      const flagged = riskReasons.length > 0;
      await tx
        .update(threads)
        .set({
          status,
          priority: flagged ? "urgent" : "normal",
          riskReasons,
          flaggedAt: flagged ? new Date(riskReasons[0]!.at) : null,
          assigneeId: assignee?.id ?? null,
          firstResponseAt,
          waitingSince,
          lastActivityAt,
          closedAt,
        })
        .where(eq(threads.id, threadId));

      // Everyone who took part has read the thread as of their last post. The client has also
      // read the latest staff reply, unless the demo keeps it as a "New reply".
      if (demo.unread) {
        if (clientLastPostAt) lastSeen.set(client.id, clientLastPostAt);
        else lastSeen.delete(client.id);
      } else if (lastSharedStaffPostAt && (!clientLastPostAt || lastSharedStaffPostAt > clientLastPostAt)) {
        lastSeen.set(client.id, new Date(Math.min(lastSharedStaffPostAt.getTime() + 2 * HOUR, now.getTime())));
      }
      const reads = [...lastSeen].map(([userId, lastReadAt]) => ({ threadId, userId, lastReadAt }));
      if (reads.length) await tx.insert(threadReads).values(reads);

      await tx.insert(auditEvents).values(events);
      await tx
        .update(cases)
        .set({ lastActivityAt: sql`greatest(${cases.lastActivityAt}, ${lastActivityAt.toISOString()}::timestamptz)` })
        .where(eq(cases.id, caseId));
    });
    created++;
  }
  return { created };
}
