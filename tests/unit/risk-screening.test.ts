import { describe, expect, it } from "vitest";
import { NEAR_MISSES, normalizeForScreening, RISK_RULES, screenText } from "~/models/risk-screening";

// Every rule, with phrases that must match it and near-misses that must match no rule at all.
// When a pattern changes in app/models/risk-screening.ts, add the phrase that made it change.

type RuleTable = { match: string[]; nearMiss: string[] };

const TABLE: Record<string, RuleTable> = {
  self_harm: {
    match: [
      "I've started self-harming again",
      "i selfharm when it gets bad",
      "self injury has been on my mind",
      "I've been cutting myself again",
      "I cut my self last night",
      "I burned myself on purpose",
      "I keep hitting myself when I get angry",
      "I've been starving myself since she left",
      "I want to hurt myself",
      "I wanna hurt myself",
      "I'm thinking about hurting myself",
      "I'm scared I'll hurt myself",
      "I hurt myself again last night",
      "I've been hurting myself",
      "sometimes I harm myself",
      "I make myself bleed",
      "I thought about slitting my wrists",
      "I cut myself cooking", // an accident is flagged too: staff clear it (see the module)
    ],
    nearMiss: [
      "I only hurt myself by lying to her",
      "I've cut myself off from my friends",
      "I'm trying to cut myself some slack",
      "I keep burning myself out at work",
      "I keep beating myself up about it",
      "I keep punishing myself for what I did",
      "I could kick myself for forgetting",
    ],
  },
  suicide: {
    match: [
      "I feel suicidal",
      "I've had suicidal thoughts",
      "thinking about sucide",
      "suicde",
      "I keep thinking about suiside",
      "I want to kill myself",
      "i want to kil myself",
      "I'm going to kill my self",
      "honestly i could kms",
      "I've thought about killing myself",
      "I want to unalive myself",
      "I want to end my life",
      "I'm thinking of taking my own life",
      "I just want to end it all",
      "I want to die",
      "i wanna die",
      "I wish I was dead",
      "I want to be dead",
      "I wish I'd never been born",
      "I'd rather be dead",
      "everyone would be better off without me",
      "it would be better if I wasn't here",
      "there's no point in living",
      "I have nothing left to live for",
      "life is not worth living",
      "what's the point of living",
      "I don't want to be here anymore",
      "i dont want to be here any more",
      "I don’t wanna be here anymore",
      "I no longer want to be here",
      "I don't want to be around anymore",
      "I don't want to live like this",
      "I don't want to live anymore",
      "I don't want to be alive",
      "I just can't go on.",
      "I can't go on anymore",
      "I don't want to wake up tomorrow",
      "I hope I never wake up",
      "I thought about jumping off the bridge",
      "I've written a suicide note",
      "I wrote goodbye letters to my family",
      "I could kill myself for forgetting", // even in jest, we would rather ask
      "I wish I could just disappear",
      "I want to disappear forever",
      "he said he'd kill himself if I left",
      "she keeps talking about killing herself",
    ],
    nearMiss: [
      "Quitting now would be career suicide",
      "We watched Suicide Squad last night",
      "I ran 5 kms this morning",
      "I'd rather die than go to her sister's party",
      "I'm going to die if he reads my diary",
      "I nearly died of embarrassment",
      "I wanted to die of embarrassment when he said it",
      "I don't want to be here at Christmas with his family",
      "I don't want to be around him anymore",
      "I don't want to live with her parents",
      "I can't go on like this, we need to talk about the affair",
      "I wrote a goodbye letter to my ex, as you suggested",
      "I want to end things with him",
      "It would be better if I was here with you",
      "I've been killing myself trying to make this work",
      "I nearly killed myself laughing",
      "I want to disappear for a weekend to think",
    ],
  },
  violence: {
    match: [
      "He said he'd kill me",
      "he said hed kill me if i left",
      "She told me that he would kill me",
      "He’ll kill me if he finds out I told you",
      "my husband tried to kill me",
      "she's going to kill me when she sees this", // said of a partner, flagged (see the module)
      "He threatened me",
      "she threatened to hurt me",
      "I've had death threats",
      "She hit me again",
      "he beats me when he drinks",
      "He **hit** me last night",
      "the man that hit me",
      "That hit me hard", // flagged so that "the man that hit me" is
      "he punched my face",
      "she slapped me",
      "he choked me",
      "he kicked my son",
      "he grabbed me by the throat",
      "she pinned me down",
      "he pushed me down the stairs",
      "she pushed me against the wall",
      "he threw a glass at me",
      "he physically hurt me",
      "I have bruises on my arms",
      "he gave me a black eye",
      "he shook the baby",
      "I want to hit him",
      "I could kill him", // said of a person, flagged (see the module)
      "he pulled a knife on me",
      "he held a knife to my throat",
      "she came at me with a bat",
      "he punched the wall next to my head",
      "she throws things when she's angry",
      "he smashed my phone",
    ],
    nearMiss: [
      "This deadline is killing me",
      "this is killing me",
      "I could kill for a coffee",
      "We had a killer weekend",
      "She absolutely killed it at work",
      "My boss will kill me if I'm late",
      "It would kill her to know",
      "It finally hit me how much I hurt her",
      "It's going to hit her hard when she finds out",
      "He hit me up on Instagram",
      "Beats me why he did it",
      "She beat me at chess again",
      "He beat me to it",
      "He stabbed me in the back",
      "She kicked me out for the weekend",
      "That film choked me up",
      "She pushed me away",
      "The affair pushed me over the edge",
      "She threw my mistakes back at me",
      "Shoot me a message when you're free",
      "You hurt me when you lied",
      "I never wanted to hurt her",
      "I'm scared he'll hurt me again",
      "I'm worried I'll hurt her feelings",
      "I hit my head on the cupboard",
      "he was hitting on me at the party",
      "I feel like she's attacking me whenever we talk",
      "We broke things off for a month",
      "I broke my phone",
      "She hit the roof when she found out",
      "I'd kill to have her trust back",
    ],
  },
  abuse: {
    match: [
      "He's abusive",
      "my abusive boss", // abuse at work still counts (see the module)
      "I was abused as a child",
      "she's emotionally abussive",
      "this is domestic violence",
      "it's coercive control",
      "he raped me",
      "I was sexually assaulted",
      "he forced himself on me",
      "it was against my will",
      "he forced me to have sex",
      "she forced me to hand over my wages",
      "he won't let me leave the house",
      "he doesn't let me see my friends",
      "I'm not allowed to see my family",
      "he controls all the money",
      "she took my passport",
      "he took my phone so I couldn't call for help",
      "she isolates me from my family",
      "he's tracking my phone",
      "he put a tracker on my car",
      "he keeps stalking me",
      "he keeps following me",
      "she threatened to take the kids",
      "he threatened to share my photos",
      "he told me to kys",
    ],
    nearMiss: [
      "He abused my trust",
      "It felt like an abuse of power",
      "She won't let me explain",
      "He won't let me in anymore",
      "I forced myself to go to the gym",
      "The pandemic forced me to work from home",
      "I was stalking her Instagram",
      "She started following me on Instagram",
      "She read my phone while I slept",
      "She threatened to leave me",
      "We're not allowed to have pets in the flat",
      "I can't stop gaslighting myself about it", // "gaslighting" alone is not flagged (see the module)
    ],
  },
  danger_now: {
    match: [
      "I'm not safe",
      "im not safe at home",
      "I'm really not safe",
      "I don't feel safe",
      "I dont feel safe around him",
      "I don't feel safe telling him", // emotional safety may be meant; flagged anyway (see the module)
      "we are in danger",
      "my kids are in danger",
      "I fear for my life",
      "I'm scared to go home",
      "I'm terrified of what he'll do",
      "I'm afraid he'll kill me",
      "I took all my pills",
      "I've taken all of my tablets",
      "I swallowed a whole bottle of painkillers",
      "I took too many pills",
      "I think I overdosed",
      "he locked me in the bedroom",
      "I'm hiding in the bathroom",
      "my husband has a gun",
      "he grabbed a knife",
      "should I call the police?",
      "he's banging on the door",
      "he's trying to break in",
      "I'm scared of him.",
      "I'm afraid of my husband when he drinks",
    ],
    nearMiss: [
      "I took my pills this morning",
      "She took all my things when she left",
      "I'm in danger of failing my course",
      "I'm not in danger, don't worry",
      "I feel safe with him now",
      "I have a knife block",
      "The car broke in half",
      "That's odd",
      "I'm scared of her reaction",
      "I'm afraid of losing him",
    ],
  },
};

describe("risk rules", () => {
  it("has a table of phrases for every rule, and every table belongs to a rule", () => {
    expect(Object.keys(TABLE).sort()).toEqual(RISK_RULES.map((r) => r.id).sort());
  });

  for (const rule of RISK_RULES) {
    describe(`${rule.id} (${rule.label})`, () => {
      const table = TABLE[rule.id]!;

      it.each(table.match)("matches %j", (phrase) => {
        expect(screenText(phrase).map((m) => m.ruleId)).toContain(rule.id);
      });

      it.each(table.nearMiss)("does not flag %j", (phrase) => {
        expect(screenText(phrase)).toEqual([]);
      });
    });
  }

  it("tests every near-miss idiom with at least one phrase", () => {
    const nearMisses = Object.values(TABLE).flatMap((t) => t.nearMiss.map(normalizeForScreening));
    const untested = NEAR_MISSES.filter(({ pattern }) => !nearMisses.some((phrase) => pattern.test(phrase))).map((n) => n.why);
    expect(untested).toEqual([]);
  });
});

describe("screenText", () => {
  it("names each rule once, in the order of the rule list, with its label", () => {
    expect(screenText("He hit me and I want to die. He hit me again. I want to die.")).toEqual([
      { ruleId: "suicide", label: "Suicidal thoughts" },
      { ruleId: "violence", label: "Violence or threats" },
    ]);
  });

  it("returns nothing for an ordinary message", () => {
    expect(
      screenText("We talked for an hour last night. I owned what I did without excuses, and she said she'd think about it."),
    ).toEqual([]);
  });

  it("still screens the rest of a message after blanking an idiom", () => {
    expect(screenText("He stabbed me in the back, and then he hit me.").map((m) => m.ruleId)).toEqual(["violence"]);
    expect(screenText("It finally hit me: I don't want to be here anymore").map((m) => m.ruleId)).toEqual(["suicide"]);
  });

  it("reads through curly quotes, Markdown emphasis, capitals and line breaks", () => {
    expect(screenText("I DON’T want to be\nhere   anymore").map((m) => m.ruleId)).toEqual(["suicide"]);
    expect(screenText("he _hit_ me").map((m) => m.ruleId)).toEqual(["violence"]);
    expect(screenText("A question\n\nI took **all** my pills").map((m) => m.ruleId)).toEqual(["danger_now"]);
  });

  it("normalizes to lower case with plain quotes and single spaces", () => {
    expect(normalizeForScreening("  I ‘can’t’\n\tgo *on*  ")).toBe("i 'can't' go on");
  });
});
