// Risk screening of what clients write (questions, replies, check-ins). A transparent list of
// rules, each a set of patterns; a match marks the thread urgent and alerts the case lead.
//
// How a text is screened:
//   1. normalizeForScreening: lower case, typographic quotes made plain, Markdown emphasis
//      (*, _, ~, `) removed, all whitespace collapsed to single spaces (so a hard-wrapped line
//      still reads as one phrase).
//   2. NEAR_MISSES: everyday idioms that only look alarming ("it hit me", "cut myself some
//      slack", "career suicide") are blanked out, each on its own, so the rest of the text is
//      still screened: "he stabbed me in the back, then he hit me" still matches "hit me".
//   3. RISK_RULES: a rule matches when any of its patterns matches what is left.
//
// The rules lean towards catching too much: staff can clear a false flag (that is audited),
// but a missed one may cost a life. Where a phrase is ambiguous, the comment beside it says
// which way we decided and why. The one exception is emotional language that is the everyday
// vocabulary of a practice repairing broken trust ("you hurt me", "I never wanted to hurt
// her", "he'll hurt me again", "I keep beating myself up"): flagging it would flag most
// messages, and an alert that fires all the time stops being read. A physical word next to it
// ("he physically hurt me", "threatened to hurt me", "hit me") is flagged.
//
// The close calls, decided (each is a test case):
//   flagged      "my abusive boss" (abuse at work is still abuse) · "she'll kill me when she
//                sees the bill", said of a partner or family (literal in an abusive home) ·
//                "I could kill him" · "I could kill myself for forgetting" · "I don't feel safe
//                telling him" (emotional safety may be meant) · "I cut myself cooking" ·
//                "that hit me hard" (so that "the man that hit me" is)
//   not flagged  "this is killing me" (strain, e.g. a deadline) · "my boss will kill me" ·
//                "I could kill for a coffee" · "a killer weekend" · "he abused my trust" ·
//                "I can't go on like this" (everyday talk about a relationship) · "I'm going
//                to die if he reads this" · "I feel like she's attacking me" · "I want to
//                disappear for a weekend" · "gaslighting" (everyday in couples' arguments; the
//                control behind real gaslighting — isolation, money, phones — is flagged)
//
// Every rule and every near-miss is tested (tests/unit/risk-screening.test.ts) with phrases
// that must match and phrases that must not. Change a pattern here, add a phrase there.

export type RiskRule = {
  id: string;
  label: string;
  /** Regular expressions, matched against the normalized text (lower case, single spaces). */
  patterns: RegExp[];
};

// Shared pieces of the patterns, written once so the common spellings are everywhere:
// apostrophes are optional ("dont", "im", "hed"), "my self" and a few typos of "myself".
const PIECES: Record<string, string> = {
  myself: "(?:my ?self|myslef|mysefl|meself)",
  // Someone who might hurt the writer: a pronoun or the people clients most often mean.
  someone:
    "(?:he|she|they|husband|wife|partner|boyfriend|girlfriend|bf|gf|ex|fianc[eé]e?|dad|father|stepdad|stepfather|mum|mom|mother|stepmum|stepmom|brother)",
  // The writer's people, as the object of a violent act.
  loved: "(?:kids?|children|child|son|daughter|baby|wife|husband|partner|girlfriend|boyfriend|mum|mom|mother|dad|father|sister|brother)",
  // Parts of the body, as the object of a violent act ("punched my face").
  body: "(?:face|head|arms?|neck|throat|stomach|belly|back|legs?|chest|jaw|ribs|eye|nose|mouth|wrists?|hair)",
  // Blows and other violent acts, in their common forms.
  strike:
    "(?:hit|hits|hitting|punch(?:es|ed|ing)?|slap(?:s|ped|ping)?|kick(?:s|ed|ing)?|chok(?:e|es|ed|ing)|strangl(?:e|es|ed|ing)|throttl(?:e|es|ed|ing)|shov(?:e|es|ed|ing)|smack(?:s|ed|ing)?|beat|beats|beating|beaten|stab(?:s|bed|bing)?|headbutt(?:s|ed|ing)?|suffocat(?:e|es|ed|ing)|smother(?:s|ed|ing)?|spat on|spit on|attack(?:s|ed|ing)?|assault(?:s|ed|ing)?)",
  not: "(?:don'?t|do not|dont|no longer|never)",
  anymore: "(?: ?any ?more| any longer)",
  pills: "(?:pills|tablets|meds|medication|medicine|sleeping pills|painkillers|paracetamol|tylenol|ibuprofen|antidepressants|insulin)",
};

/** A pattern with {piece} placeholders filled from PIECES; always case-insensitive. */
function rx(source: string): RegExp {
  return new RegExp(
    source.replace(/\{(\w+)\}/g, (_, name: string) => {
      const piece = PIECES[name];
      if (!piece) throw new Error(`Unknown piece {${name}} in a risk pattern`);
      return piece;
    }),
    "i",
  );
}

export const RISK_RULES: RiskRule[] = [
  {
    id: "self_harm",
    label: "Self-harm",
    patterns: [
      rx(String.raw`\bself[- ]?(?:harm|injur|mutilat)\w*`),
      // Cutting, burning, hitting oneself: flagged even when it may be an accident ("I cut myself
      // cooking"); staff can clear that. The idioms (cut myself off / some slack, burn myself
      // out) are near-misses below.
      rx(String.raw`\b(?:cut|cuts|cutting|burn|burns|burned|burnt|burning|scratch(?:ed|es|ing)?|punch(?:ed|es|ing)?|hit|hits|hitting|starv(?:e|ed|es|ing)|harm|harms|harmed|harming) {myself}\b`),
      rx(String.raw`\bmake {myself} bleed\b|\bslit(?:ting)? my wrists?\b|\bcut(?:ting)? my wrists?\b`),
      // "Hurt myself" is everyday emotional language here ("I only hurt myself by lying"), so it
      // needs a word of intent or habit beside it.
      rx(
        String.raw`\b(?:want(?:s|ed)?|wanting|wanna|going|gonna|need(?:ed)?|urges?|tempted|plan(?:ned|ning)?|think(?:ing)? (?:about|of)|thought (?:about|of)|thoughts (?:about|of)|tr(?:y|ied|ying)|start(?:ed)?|keep|kept|might|will|'ll|could|stop {myself} from|feel like|felt like|scared (?:that )?i(?:'?ll| will| might)|afraid (?:that )?i(?:'?ll| will| might))(?: to)? hurt(?:ing)? {myself}`,
      ),
      rx(String.raw`\bbeen hurting {myself}|\bhurt(?:ing)? {myself} (?:again|on purpose|deliberately)\b`),
    ],
  },
  {
    id: "suicide",
    label: "Suicidal thoughts",
    patterns: [
      // suicide, suicidal and the common misspellings (sucide, suicde, suiside, suicidle…);
      // "career suicide" and friends are near-misses below.
      rx(String.raw`\bsu?i?c+i?d(?:e|es|al|ally|ality|le)\b|\bsu[ic]{0,2}sid(?:e|al)\b|\bsewer ?slide\b`),
      // Even said in jest ("I could kill myself for forgetting") we would rather ask.
      // "kms" is "kill myself", except after a number (5 kms = kilometres).
      rx(String.raw`\bkill?(?:ing|ed)? {myself}\b|(?<![\d.] ?)\bkms\b|\bun-?aliv(?:e|ed|ing)\b`),
      rx(String.raw`\b(?:end|ending|ended|take|taking) my (?:own )?life\b|\bend(?:ing)? it all\b|\bend everything\b`),
      // "Going to die" is left out: "I'm going to die if he reads this" is an idiom.
      rx(String.raw`\b(?:want(?:ed|ing)?|wanna|wish i could|ready|deserve|plan(?:ning)?|prepared) (?:to )?die\b|\bwish i (?:was|were|'?d be) dead\b|\bwant to be dead\b`),
      rx(String.raw`\bwish i (?:was|were|'?d)(?:n'?t| not| never)(?: been)? (?:born|alive|here)\b|\bwish i'?d never been born\b`),
      rx(String.raw`\bbetter off dead\b|\bbetter off without me\b|\bbetter (?:off )?if i (?:was|were) (?:dead|gone)\b|\bbetter (?:off )?if i (?:wasn'?t|weren'?t|was not|were not) (?:here|around|alive)\b`),
      // "I'd rather die than go to her sister's" is an idiom; "rather be dead" is not.
      rx(String.raw`\brather (?:be dead|die(?! than))\b`),
      rx(String.raw`\bno (?:reason|point) (?:in |to )?(?:living|live|going on|being alive|being here)\b|\bnothing (?:left )?to live for\b|\bnot worth living\b|\bwhat'?s the point (?:of|in) (?:living|life|being alive|going on)\b`),
      // The brief's "I don't want to be here anymore": "be here"/"be around" need "anymore"
      // (so "I don't want to be here at Christmas" is not flagged); "live" and "be alive" don't
      // ("I don't want to live like this" is flagged: it may be about the situation, we ask;
      // "I don't want to live with her parents" is not).
      rx(
        String.raw`\b{not} (?:really )?(?:want|wanna|wish)(?: to)? (?:be (?:here|around|on this earth)(?={anymore}|\s*$| at all)|be alive\b|exist\b|keep living\b|live(?={anymore}| like this| this (?:way|life)| without|\s*[.!?,]|\s*$)|(?:go|carry) on(?={anymore}| living|\s*[.!?]|\s*$))`,
      ),
      rx(String.raw`\b(?:can'?t|cannot|can not) (?:go on|carry on|keep going|keep living)(?={anymore}| living|\s*[.!?]|$)`),
      rx(String.raw`\b(?:never|not|don'?t|dont) (?:want to |wanna )?wake up(?: again| tomorrow|{anymore}| ever|(?=\s*[.!?]|\s*$))|\bhope i (?:don'?t|never) wake up\b|\bgo to sleep and (?:never|not) wake up\b`),
      rx(String.raw`\bhang(?:ing)? {myself}\b|\b(?:jump|jumping|throw {myself}|step|stepping) (?:off|from|in front of|under) (?:a|the) (?:bridge|roof|building|cliff|balcony|train|bus|lorry|truck|car)\b`),
      // A goodbye letter to an ex (or to the relationship) is a common exercise, not flagged;
      // goodbye letters to everyone, or to family, are.
      // "I want to disappear for a weekend" is not flagged; wanting to disappear for good is.
      rx(String.raw`\bwant to disappear(?= forever| for good|{anymore}|\s*[.!?]|\s*$)|\bwish i could (?:just )?disappear\b`),
      // Someone else's suicidal talk ("he said he'd kill himself if I left"): a risk to them,
      // and often a way to control the writer.
      rx(String.raw`\bkill(?:ing|ed)? (?:himself|herself|themselves|themself)\b|\b(?:hurt|harm) (?:himself|herself|themselves|themself) if\b`),
      rx(String.raw`\bsuicide (?:note|letter)s?\b|\bgoodbye (?:notes|letters)\b|\bgoodbye (?:note|letter) (?:to|for) (?:everyone|everybody|my (?:family|kids|children|parents|mum|mom|dad))\b`),
    ],
  },
  {
    id: "violence",
    label: "Violence or threats",
    patterns: [
      // "He said he'd kill me", "she'll kill me if she finds out", "my husband tried to kill me".
      // Said of a partner or family, even "she'll kill me when she sees the bill" is flagged:
      // in an abusive home that exact sentence is literal. "This is killing me", "just kill me
      // now", "my boss will kill me" and "I could kill for a coffee" name no one close and are
      // not flagged.
      rx(String.raw`\b{someone}\b[^.!?]{0,40}?\bkill (?:me|us|my {loved}|the (?:kids|children|baby))\b`),
      rx(String.raw`\b(?:tried|trying|tries|wants|wanted|going|gonna|threatened|threatening|threatens|promised|swore) to (?:kill|strangle|choke|drown|suffocate|smother|stab|shoot|poison|run over|burn) (?:me|us|him|her|them|my|our|the kids)\b`),
      rx(String.raw`\bthreat(?:en|ens|ened|ening)? (?:me|us)\b|\bthreat(?:en|ens|ened|ening)? to (?:kill|hurt|harm|hit|beat|stab|shoot|strangle|choke|burn|break)\b|\bdeath threats?\b`),
      // A violent act on a person. "It hit me", "hit me up", "beat me at chess", "stabbed me in
      // the back", "kicked me out", "choked me up" are near-misses below. "That hit me hard" is
      // flagged: "the man that hit me" must be.
      rx(String.raw`\b{strike} (?:me|him|her|them|us|my {loved}|the (?:kids|children|baby))\b`),
      // "He punched my face", but not "I hit my head on the cupboard".
      rx(String.raw`(?<!\bi )\b{strike} my {body}\b`),
      rx(String.raw`\b(?:shook|shakes|shaking|shake) (?:the|my|our) baby\b`),
      // Intimidation: punching walls, smashing things, breaking the writer's phone. "We broke
      // things off" and "I broke my phone" are not.
      rx(String.raw`\bpunch(?:ed|es|ing)? (?:a|the) (?:wall|door|window)\b|\b(?:throws|threw|throwing|smash(?:ed|es|ing)?|breaks|broke|breaking) (?:things|stuff|plates|furniture)\b(?! off)|(?<!\bi )\b(?:smashed|broke|destroyed|smashes|breaks|destroys) my (?:phone|laptop|things|stuff)\b`),
      rx(String.raw`\bgrab(?:s|bed|bing)? (?:me|my) (?:by (?:the|my) )?(?:throat|neck|hair|arms?|wrists?|face|jaw|collar)\b|\bpinned me (?:down|against|to)\b|\bheld me down\b|\bdragged me (?:by|across|along|down|up the)\b`),
      // "Pushed me away" and "pushed me into counselling" are emotional; a surface is physical.
      rx(String.raw`\bpush(?:ed|es|ing)? me (?:down|over|off|out of (?:the|a|my) (?:car|house|door|window|bed)|(?:into|against|onto|through|off|down) (?:the|a) (?:wall|door|floor|ground|table|stairs|counter|window|car|bed|sofa|couch|road|mirror))\b`),
      rx(String.raw`\bthrew (?:[a-z']+ ){1,3}at (?:me|my (?:head|face)|the kids)\b`),
      rx(String.raw`\bphysically (?:hurt|hurts|hurting|harmed|attacked|abused|violent)\b|\bhurt(?:s|ing)? me physically\b`),
      rx(String.raw`\bblack eye\b|\bbruises\b|\b(?:gave|left) me (?:with )?(?:a )?(?:black eye|bruises|marks|split lip|broken)\b`),
      // The writer may be the one who is dangerous. "Hurt" is left out here ("I never wanted to
      // hurt her" is an apology); physical words and "kill" are in. "I could kill him for
      // forgetting our anniversary" is flagged: said of a person, we would rather ask.
      rx(String.raw`\b(?:want(?:ed)?|wanna|going|gonna|could|will|'ll|would|'d|feel like|felt like|urge to|tempted to|thinking about|thought about|plan(?:ning)? to)(?: to)? (?:hit|stab|shoot|strangle|choke|beat up|punch|attack|poison) (?:him|her|them|my {loved}|the (?:kids|children|baby)|someone|somebody)\b`),
      rx(String.raw`\bkill(?:ed)? (?:him|her|them|someone|somebody|my {loved}|the (?:kids|children|baby))\b`),
      rx(String.raw`\b(?:pulled|pulls|waving|waved|brandish(?:ed|es|ing)?) (?:a|an|his|her|the) (?:gun|knife|weapon|rifle|pistol|shotgun|machete|blade)\b|\b(?:held|holding|holds|put) (?:a|an|his|her|the) (?:gun|knife|blade) (?:to|against|at)\b|\bcame at me with\b`),
    ],
  },
  {
    id: "abuse",
    label: "Abuse or coercion",
    patterns: [
      // Any form of "abuse", including typos (abbuse, abussive). "My abusive boss" IS flagged:
      // abuse at work still harms the person, and it may be why they are struggling; staff can
      // clear it. "Substance abuse" is flagged too (a risk in its own right). "Abused my trust"
      // and "abuse of power" are near-misses below.
      rx(String.raw`\bab+us+(?:e|ed|es|er|ers|ing|ive|ively|ve)\b`),
      rx(String.raw`\bdomestic (?:violence|abuse)\b|\bintimate partner violence\b|\bcoercive(?:ly)? control\w*|\b(?:dv|ipv)\b|\bmistreat(?:s|ed|ing)? (?:me|us|the kids)\b`),
      rx(String.raw`\brap(?:e|ed|es|ing|ist)\b|\bsexual(?:ly)? (?:assault\w*|abus\w*|harass\w*)|\bmolest\w*|\bgrop(?:e|ed|es|ing)\b`),
      rx(String.raw`\bforced (?:himself|herself|themselves|themself) on me\b|\bmade me (?:have sex|sleep with|do (?:sexual )?things)\b|\b(?:without|against) my (?:consent|will)\b|\bdidn'?t consent\b|\bnon[- ]?consensual\b`),
      // "Forced me to" is flagged whoever did it; "I forced myself to" is not (no "me").
      rx(String.raw`\bforc(?:ed|es|ing) me to\b`),
      // Control. "She won't let me explain / talk about it / in" is a hurt partner, not control.
      rx(
        String.raw`\b(?:won'?t|will not|doesn'?t|does not|didn'?t|never|wouldn'?t|isn'?t|is not|not) (?:let|lets|letting|allow|allows|allowing) me (?:leave|go (?:out|anywhere|home|to work)|see (?:my )?(?:friends|family|mum|mom|parents|sister|brother|kids|children|doctor)|have (?:money|a phone|my phone|my keys|friends|my own)|use (?:the|my) phone|work|get a job|sleep|eat|call|contact|drive|out of (?:his|her|their) sight)\b`,
      ),
      rx(String.raw`\bnot allowed to (?:leave|see (?:my )?(?:friends|family|parents|mum|mom)|go out|work|call|talk to (?:anyone|my)|have (?:money|a phone|friends))\b`),
      rx(String.raw`\bcontrols? (?:all )?(?:my|our|the) (?:money|finances|bank|accounts|phone)\b|\b(?:took|takes|taken|keeps|hides|hid) (?:away )?my (?:passport|wages|pay|paycheck|bank cards?|car keys)\b`),
      rx(String.raw`\bso (?:that )?i (?:can'?t|couldn'?t|cannot|could not) (?:leave|escape|get out|get help|call (?:anyone|for help|the police|911|999))\b|\bisolat(?:es|ed|ing) me from\b`),
      rx(String.raw`\b(?:tracking|tracks|tracked) my (?:phone|location|car)\b|\b(?:put|hid|installed) a tracker\b|\bspyware on my\b`),
      // "Following me on Instagram" is a near-miss below.
      // "I was stalking her Instagram" is the writer checking a profile, not flagged.
      rx(String.raw`\bstalk(?:s|ed|ing)? me\b|\bstalker\b|\bbeing stalked\b|\b(?:keeps|kept|been|is|was|started|keep) following me\b`),
      rx(String.raw`\bthreat(?:en|ens|ened|ening)? to (?:take|keep) (?:the|my|our) (?:kids|children|baby)\b|\bthreat(?:en|ens|ened|ening)? to (?:share|post|send|leak|publish) (?:my|our|the|those|intimate|private)\b|\b(?:shared|posted|leaked|sent) my nudes\b`),
      rx(String.raw`\btold me to (?:kill {myself}|kms|die|go die)\b|\bkys\b`),
    ],
  },
  {
    id: "danger_now",
    label: "In danger now",
    patterns: [
      // "I don't feel safe telling him" may be about emotional safety; it is flagged anyway:
      // "safe" is the word people in danger use, and we would rather ask.
      // "In danger of failing my course" is not.
      rx(String.raw`\b(?:i'?m|i am|we'?re|we are|i feel|we feel|i'?m feeling)(?: (?:really|so|very|just|actually|honestly|genuinely|truly|completely))? (?:not safe|unsafe|in danger(?! of))\b`),
      rx(String.raw`\b(?:don'?t|dont|do not|didn'?t|did not|never) feel safe\b|\bnever felt safe\b|\b(?:not safe|unsafe) (?:at|in) (?:home|my home|the house|this house|our house)\b`),
      rx(String.raw`\bmy (?:life|{loved}|family) (?:is|are) in danger\b|\b(?:scared|afraid|fear|fearing|terrified|frightened) for (?:my|our|the kids'?|my kids'?|my children'?s) (?:life|lives|safety)\b`),
      rx(String.raw`\b(?:scared|afraid|terrified|frightened) (?:to go home|of what (?:he|she|they)(?:'?ll| will| might| is going to| could)? ?do)\b|\b(?:scared|afraid|terrified|frightened|worried) (?:that )?(?:he|she|they)(?:'?ll| will| might| is going to|'s going to| could| would|'?d) (?:kill|hit|beat|attack|strangle|choke) (?:me|us|the kids)\b`),
      // Fear of a person ("I'm scared of him."), but not "scared of her reaction / of losing him".
      rx(String.raw`\b(?:afraid|scared|terrified|frightened) of (?:him|her|them|my {loved})(?=\s*(?:[.!?,;]|$|and\b|when\b|because\b|now\b|sometimes\b|all the time|at times|these days|lately))`),
      // "I took all my pills" and its variants. "I took my pills this morning" is a near-miss.
      rx(String.raw`\b(?:took|taken|take|taking|swallowed|swallow|swallowing) (?:all|every one|a whole bottle|the whole bottle|a whole packet|the whole packet|too many|a handful|handfuls|loads|a load|a lot|lots|a bunch|the rest)(?: of)?(?: my| the| his| her| these| those| mum'?s| mom'?s)? {pills}\b`),
      rx(String.raw`\boverdos(?:e|ed|es|ing)\b|\bod'd\b|\bo\.d\.'?d\b|\bod(?:ed|ing)? on\b`),
      rx(String.raw`\block(?:ed|s|ing)? me (?:in|inside|up)\b|\bwon'?t let me (?:leave|out)\b|\bhiding (?:from (?:him|her|them)|in the (?:bathroom|bedroom|closet|wardrobe|car|garden))\b`),
      // A gun in the house is flagged whoever has it (a way to act on a plan); a knife only in
      // someone's hand ("I have a knife block" is not).
      rx(String.raw`\b(?:has|have|had|got|grabbed|keeps|carrying|carries|bought|owns?) (?:a|an|his|her|the|my) (?:gun|firearm|rifle|pistol|shotgun)s?\b|\b(?:he|she|they)(?:'s got| has| had| got| grabbed| picked up) (?:a|his|her|the) (?:knife|machete|blade)\b`),
      rx(String.raw`\b(?:call|called|calling|phone|phoned|ring|rang|dial|dialled|dialed) (?:the )?(?:police|cops|911|999|112|000|ambulance)\b`),
      rx(String.raw`\bbanging on (?:my|the|our) (?:door|window)s?\b|\b(?:trying|tried|tries) to (?:break|get|force (?:his|her|their) way) in\b|\bbroke (?:in(?! half| two| pieces| tears)|into (?:my|our|the) (?:house|home|flat|apartment|car))\b|\bkicked (?:in |down )?(?:the|my|our) door(?: in| down)?\b`),
    ],
  },
];

/**
 * Phrases that look like a risk but are everyday idioms. Each is blanked out before the rules
 * run, so the rest of the text is still screened. `why` says what the phrase means.
 */
export const NEAR_MISSES: { pattern: RegExp; why: string }[] = [
  { pattern: rx(String.raw`\bcut(?:s|ting)? {myself} (?:off|some slack|a break|short|loose|free|a (?:slice|piece))\b`), why: "isolating / going easy on oneself" },
  { pattern: rx(String.raw`\bburn(?:s|ed|t|ing)? {myself} out\b`), why: "burnout" },
  { pattern: rx(String.raw`\bkill(?:ing|ed)? {myself} (?:laughing|trying|at work|at the gym|over work)\b`), why: "laughing hard / overworking" },
  {
    pattern: rx(String.raw`\b(?:career|political|social|professional|financial|commercial|electoral|reputational|relationship) suicide\b|\bsuicide (?:squad|mission|doors?|runs?|sprints?|drills?|lane|pass)\b`),
    why: "figures of speech and names",
  },
  {
    pattern: rx(
      String.raw`\b(?:it|this|reality|the (?:truth|realisation|realization|news|guilt|grief|weight of it))(?:'s|'ll|'d)?(?: (?:is|was|will|would|could|might|going to|gonna|has|had|really|finally|suddenly|just|all|then|only|properly|actually|kind of|already|never|didn'?t|did|does|doesn'?t|won'?t|not)){0,3} (?:hit|hits|hitting) (?:me|him|her|us|them)\b`,
    ),
    why: "a realisation landing",
  },
  { pattern: rx(String.raw`\bhit(?:s|ting)? (?:me|him|her|us|them) up\b`), why: "getting in touch" },
  {
    pattern: rx(String.raw`(?<=^|[.!?,;:] ?|\b(?:it|that|honestly|frankly|well) )beats me(?=\s*(?:[.!?,]|$| why| how| what| who| where| whether| if))`),
    why: "\"I don't know\"",
  },
  {
    pattern: rx(String.raw`\bbeat(?:s)? (?:me|him|her|us|them) (?:to (?:it|the punch)|(?:at|in) (?:[a-z]+ ){0,2}(?:game|games|chess|cards|poker|tennis|golf|pool|darts|scrabble|monopoly|race|match|quiz|final|football|soccer|rugby|cricket|basketball|netball|squash|badminton|bowling))\b`),
    why: "winning a game or a race",
  },
  { pattern: rx(String.raw`\bstab(?:s|bed|bing)? (?:me|him|her|us|them) in the back\b|\bback ?stab\w*`), why: "betrayal" },
  { pattern: rx(String.raw`\bkick(?:s|ed|ing)? (?:me|him|her|us|them|my {loved}) out\b`), why: "being asked to leave" },
  { pattern: rx(String.raw`\bchok(?:e|es|ed|ing) (?:me|him|her|us|them) up\b`), why: "being moved to tears" },
  { pattern: rx(String.raw`\bpush(?:ed|es|ing)? me over the edge\b`), why: "the last straw" },
  { pattern: rx(String.raw`\bthrew (?:[a-z']+ ){0,3}back (?:at me|in my face)\b|\bthrew shade\b`), why: "words thrown back" },
  { pattern: rx(String.raw`\bshoot (?:me|him|her|them|us) (?:a|an) (?:message|text|email|line|note|dm)\b`), why: "sending a message" },
  { pattern: rx(String.raw`\bhurt (?:his|her|their|your|my|our) feelings\b`), why: "emotional hurt" },
  {
    pattern: rx(String.raw`\b(?:it|this|which)(?:'?d|'?ll|'s)?(?: (?:would|will|could|might|is going to|is|was|just|really|absolutely|probably|literally|honestly)){0,3} kill(?:s|ed|ing)? (?:him|her|them|me|us)\b`),
    why: "\"it would kill her to know\": grief, not a threat",
  },
  {
    pattern: rx(String.raw`\babus(?:e|ed|es|ing) of (?:power|trust|process|privilege|authority|position|the system)\b|\babus(?:e|ed|es|ing) (?:my|his|her|your|our|their) (?:trust|kindness|goodwill|generosity|patience|hospitality|position|privileges?|power)\b`),
    why: "misuse of trust or power",
  },
  { pattern: rx(String.raw`\bfollowing me (?:on|back)\b`), why: "social media" },
  {
    pattern: rx(String.raw`\bfeel(?:s|ing)? (?:like )?(?:he|she|they|you)(?:'s|'re| is| are)(?: always| just| constantly)? attacking me\b`),
    why: "criticism in an argument",
  },
  {
    pattern: rx(String.raw`\b(?:it|this|which|covid|lockdown|the (?:pandemic|situation|move|redundancy)|my job|work)(?: (?:has|had|really|kind of|basically))? forc(?:ed|es|ing) me to\b`),
    why: "circumstances, not a person",
  },
  { pattern: rx(String.raw`\b(?:die|died|dies|dying) (?:of|from) (?:embarrassment|laughter|laughing|boredom|cringe)\b`), why: "hyperbole" },
];

export type RiskMatch = { ruleId: string; label: string };

/** What the rules see: lower case, plain quotes, no Markdown emphasis, single spaces. */
export function normalizeForScreening(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc\u0060\u00b4]/g, "'")
    .replace(/[\u200b-\u200d\u2060\ufeff]/g, "")
    .replace(/[*_~`]+/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** The rules `text` matches, each once, in the order of RISK_RULES. */
export function screenText(text: string): RiskMatch[] {
  let screened = normalizeForScreening(text);
  for (const { pattern } of NEAR_MISSES) screened = screened.replace(new RegExp(pattern.source, "gi"), " ~ ");
  return RISK_RULES.filter((rule) => rule.patterns.some((p) => p.test(screened))).map((rule) => ({
    ruleId: rule.id,
    label: rule.label,
  }));
}
