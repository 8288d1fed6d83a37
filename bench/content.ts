// Words for the benchmark practice: names, titles and short messages the seed combines at
// random. Plain and repetitive on purpose; what matters is realistic lengths and shapes.

export const FIRST_NAMES = [
  "Ada", "Ben", "Carla", "Dev", "Elif", "Femi", "Greta", "Hugo", "Ines", "Jonas", "Kira", "Luca", "Maya", "Nils",
  "Olga", "Pavel", "Quinn", "Rosa", "Sami", "Tara", "Umar", "Vera", "Wes", "Xenia", "Yusuf", "Zoe", "Amir", "Bea",
  "Cyril", "Dora", "Emil", "Flora", "Gil", "Hana", "Ivo", "Jade", "Kofi", "Lena", "Milo", "Nora", "Omar", "Pia",
  "Raf", "Sina", "Tomas", "Uma", "Viktor", "Wanda", "Yara", "Zeno",
] as const;

export const LAST_NAMES = [
  "Abbott", "Berg", "Castillo", "Dunmore", "Eklund", "Farah", "Gallo", "Hartley", "Iwu", "Jensen", "Kowal",
  "Lindgren", "Mensah", "Novak", "Osei", "Petrov", "Quaid", "Rossi", "Sato", "Tamm", "Ueda", "Varga", "Walsh",
  "Yilmaz", "Zubiri", "Ahlberg", "Brandt", "Cole", "Diallo", "Engel", "Fischer", "Grant", "Holm", "Ivanova",
  "Kaur", "Lund", "Moreau", "Nakamura", "Olsen", "Pereira",
] as const;

export const CASE_TITLES = [
  "Rebuilding trust after the phone",
  "After the emotional affair",
  "Finding our way back",
  "Space and a slow return",
  "The lie that grew",
  "Long distance, new rules",
  "Learning to argue fairly",
  "Honesty, one week at a time",
  "Healing from the betrayal",
  "Talking again after the silence",
] as const;

export const CONCERNS = [
  "Trust broke after messages were found; both want to stay together but keep circling the same fight.",
  "One partner kept a friendship secret for a year. They want help talking about it without shouting.",
  "Small untruths became a pattern. The client wants to change how they respond when they feel cornered.",
  "After a separation the couple is trying again and wants structure for the first months.",
  "The client feels they give and never receive; they want to say what they need clearly.",
] as const;

export const THREAD_TITLES = [
  "Is it normal to still feel angry?",
  "How do I bring this up without a fight?",
  "We had a good week, what now?",
  "I slipped back into old habits",
  "Question about the transparency step",
  "How much should I share about my day?",
  "They asked for space and I'm scared",
  "Can we move the next step?",
  "I checked their phone again",
  "What counts as a real apology?",
  "Feeling stuck on the boundaries exercise",
  "My partner wants to talk about the past every night",
  "How long does healing usually take?",
  "I don't know if I can forgive",
  "Our talk went badly last night",
  "Is a week of no contact enough?",
] as const;

export const CLIENT_LINES = [
  "We tried the exercise on Sunday and it went better than I expected.",
  "I keep replaying the conversation in my head and I can't tell if I was fair.",
  "Last night I felt the old suspicion coming back and I didn't know what to do with it.",
  "They said they need more time, and I'm trying to respect that, but it's hard.",
  "I wrote down what I wanted to say first, like you suggested, and it helped.",
  "Honestly I'm not sure this is working. Some days feel like we're back at the start.",
  "Can you explain again what you meant by owning it without excuses?",
  "I apologised and then added a 'but' at the end. I noticed it afterwards.",
  "We agreed on a check-in time each evening. Two days in, it's holding.",
  "I got defensive when they asked where I was. I want to handle that better.",
  "It helped to hear that this takes months, not weeks.",
  "I told my sister about it and she took their side, which made it worse.",
  "Is it okay that I don't want to talk about it every day?",
  "We went for a long walk and talked without it turning into a fight.",
  "I'm tired. I want to feel normal again.",
  "Thanks for the reply. I'll try that this week and let you know.",
] as const;

export const STAFF_LINES = [
  "Thank you for writing this down. Noticing the 'but' is already a real step.",
  "That sounds like a hard evening. What did you need from them in that moment?",
  "It's common for the anger to come in waves, even when things are getting better.",
  "Let's keep the evening check-in short: ten minutes, same time, phones away.",
  "Try naming the feeling before the facts: 'I felt scared when…' rather than 'You always…'.",
  "You don't have to talk about it every day. Agree on a time that belongs to it.",
  "Space isn't the same as leaving. It's okay to ask what they need from you meanwhile.",
  "Well done for pausing instead of arguing. That's the skill we're building.",
  "Could you write three things that would help you feel safer, and share one of them?",
  "I'd suggest we move the next step by a week; there's no rush.",
  "An apology lands when it names what happened and its effect, and asks for nothing back.",
  "Let's look at this together at our next session.",
  "It makes sense that your sister reacted that way; she's protective of you.",
  "What you describe is progress, even if it doesn't feel like it yet.",
] as const;

export const INTERNAL_LINES = [
  "Client seems more settled this month; keep the pace.",
  "Worth checking in about sleep at the next session.",
  "Partner's view may differ a lot here; consider a joint session.",
  "Watch for the pattern of checking the phone; came up twice now.",
  "Discussed with the supervisor: continue the current plan.",
  "Possible stall; suggest the shorter version of the exercise.",
] as const;

export const MARKDOWN_EXTRAS = [
  "\n\n- talk at 8pm\n- phones in the drawer\n- ten minutes, then stop",
  "\n\n**What I'll try:** say how I feel first.",
  "\n\n1. Listen\n2. Repeat back\n3. Ask what they need",
] as const;

export const CHECK_IN_HAPPENED = [
  "We kept the evening check-ins four times this week.",
  "A calm week mostly; one argument on Thursday that we ended early.",
  "I told them the truth about something small and it went fine.",
  "We spent the weekend apart, as agreed.",
  "Not much changed. Busy week at work.",
  "We talked about the affair for an hour without shouting.",
] as const;

export const CHECK_IN_HARD = [
  "Not checking their phone when they left it on the table.",
  "Staying calm when the past came up again.",
  "Feeling like I'm the only one trying.",
  "Sleeping; I keep waking up at 4am.",
  "Asking for what I need without apologising for it.",
  "",
] as const;

export const FEEDBACK_LINES = [
  "Good week. Keep the check-ins short and regular.",
  "Thank you for being honest about the hard part; let's look at it next time.",
  "Four check-ins is great. Notice what made them work.",
  "Sleep matters here; try the wind-down routine we talked about.",
  "",
] as const;

export type TemplateContent = { title: string; summary: string; steps: { title: string; guidance: string; days: number }[] };

export const TEMPLATES: TemplateContent[] = [
  {
    title: "Owning it: the first month",
    summary: "For the partner who broke trust: take responsibility, apologise well, be open.",
    steps: [
      { title: "Write down what happened, without excuses", guidance: "Plain facts. No 'because' yet.", days: 3 },
      { title: "Prepare the apology", guidance: "Name the act, its effect, and what changes now.", days: 4 },
      { title: "Offer openness", guidance: "Agree what you will share by default.", days: 7 },
      { title: "Find the why", guidance: "What were you avoiding? Bring notes to the session.", days: 7 },
      { title: "Keep the daily check-in", guidance: "Ten minutes a day, same time.", days: 14 },
      { title: "Review together", guidance: "What helped, what didn't.", days: 7 },
    ],
  },
  {
    title: "Naming the hurt",
    summary: "For the partner who was hurt: say what happened to you, set limits, get support.",
    steps: [
      { title: "Write three I-statements", guidance: "'I felt … when …'.", days: 3 },
      { title: "Choose one boundary", guidance: "Small, clear, and yours to keep.", days: 5 },
      { title: "Tell one trusted person", guidance: "Someone who listens without taking over.", days: 7 },
      { title: "Time for yourself", guidance: "One evening a week that is only yours.", days: 7 },
      { title: "Notice consistency", guidance: "Keep a short log of what you see change.", days: 14 },
      { title: "Think about forgiveness", guidance: "No deadline. Notes for the session.", days: 14 },
      { title: "Decide the next step", guidance: "Together with your practitioner.", days: 7 },
    ],
  },
  {
    title: "Giving space",
    summary: "Step back, no pressure, work on yourself, then reopen the conversation.",
    steps: [
      { title: "Agree the space", guidance: "How long, and how you'll reach each other if needed.", days: 2 },
      { title: "No pressure week", guidance: "No long messages, no 'we need to talk'.", days: 7 },
      { title: "Work on yourself", guidance: "Sleep, friends, one thing you enjoy.", days: 7 },
      { title: "Reopen gently", guidance: "A short, warm message; no agenda.", days: 3 },
    ],
  },
  {
    title: "Fair arguments",
    summary: "Rules for disagreeing without damage.",
    steps: [
      { title: "Agree a pause word", guidance: "Either of you can stop for twenty minutes.", days: 2 },
      { title: "One topic at a time", guidance: "Park the rest in a shared note.", days: 7 },
      { title: "Repeat back before replying", guidance: "'What I heard is …'.", days: 7 },
      { title: "End with one small agreement", guidance: "Even if the topic stays open.", days: 7 },
      { title: "Weekly review", guidance: "Ten minutes on how the week's arguments went.", days: 7 },
    ],
  },
  {
    title: "Long distance, clear rules",
    summary: "Structure for couples apart, especially after contact with an ex.",
    steps: [
      { title: "Agree on contact with the ex", guidance: "What is okay, what is not, and why.", days: 3 },
      { title: "Fixed call times", guidance: "Two calls a week at least.", days: 7 },
      { title: "Share plans in advance", guidance: "Weekends and evenings out.", days: 7 },
      { title: "Plan the next visit", guidance: "Dates, and one thing to do together.", days: 14 },
      { title: "Check how it feels", guidance: "Each of you rates the rules 1–10.", days: 7 },
      { title: "Adjust the rules", guidance: "Keep what works.", days: 7 },
    ],
  },
  {
    title: "Honesty in small things",
    summary: "For white lies that grew into a habit.",
    steps: [
      { title: "Spot the small lies", guidance: "A week of noticing, without judging.", days: 7 },
      { title: "Find the trigger", guidance: "What were you afraid would happen?", days: 5 },
      { title: "Practise the true answer", guidance: "Out loud, alone first.", days: 7 },
      { title: "Tell one small truth", guidance: "Something you'd usually smooth over.", days: 7 },
      { title: "Review with your partner", guidance: "How did it feel on both sides?", days: 7 },
    ],
  },
  {
    title: "Starting again after separation",
    summary: "The first months back together.",
    steps: [
      { title: "Name what ended it", guidance: "Each writes their own version.", days: 5 },
      { title: "Agree what is different now", guidance: "Concrete, not hopes.", days: 7 },
      { title: "Weekly date", guidance: "Same evening each week.", days: 14 },
      { title: "Shared calendar", guidance: "Less guessing, fewer surprises.", days: 7 },
      { title: "Talk about money", guidance: "One calm conversation.", days: 7 },
      { title: "Meet friends together", guidance: "Reconnect with the people around you.", days: 14 },
      { title: "Three-month review", guidance: "With your practitioner.", days: 7 },
      { title: "Decide the rhythm", guidance: "Sessions from here on.", days: 7 },
    ],
  },
  {
    title: "Saying what you need",
    summary: "For the partner who gives and doesn't ask.",
    steps: [
      { title: "List what you need", guidance: "Ten things, big and small.", days: 4 },
      { title: "Pick the easiest", guidance: "Ask for it this week.", days: 7 },
      { title: "Notice the guilt", guidance: "Write down what you told yourself.", days: 7 },
      { title: "Ask for a bigger one", guidance: "Say it plainly.", days: 7 },
    ],
  },
];

export const CUSTOM_STEP_TITLES = [
  "Talk about it at the next session",
  "Write a short letter you won't send",
  "One evening without screens",
  "Read the chapter we discussed",
  "Try the breathing exercise before difficult talks",
] as const;
