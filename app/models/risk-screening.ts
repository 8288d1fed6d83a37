// Risk screening of what clients write (questions, replies, check-ins). A transparent list of
// rules, each a set of patterns; a match marks the thread urgent and alerts the case lead. The
// rules lean towards catching too much: staff can clear a false flag, but a missed one may cost
// a life. Every rule is tested with phrases that must match and near-misses that must not.

export type RiskRule = {
  id: string;
  label: string;
  /** Case-insensitive regular expressions, matched against the text with whitespace collapsed. */
  patterns: RegExp[];
};

export const RISK_RULES: RiskRule[] = [
  {
    id: "self_harm",
    label: "Self-harm",
    patterns: [
      /\b(hurt|harm|cut|cutting|burn|burning)\s+(myself|my\s*self)\b/i,
      /\bself[-\s]?harm(ing)?\b/i,
    ],
  },
  {
    id: "suicide",
    label: "Suicidal thoughts",
    patterns: [
      /\bsuicid(e|al)\b/i,
      /\bkill(ing)?\s+myself\b/i,
      /\b(end|ending|take|taking)\s+my\s+(own\s+)?life\b/i,
      /\b(want|wish|going)\s+to\s+die\b/i,
      /\bbetter\s+off\s+dead\b/i,
      /\bno\s+(reason|point)\s+(in\s+)?(living|to\s+live|going\s+on)\b/i,
    ],
  },
  {
    id: "violence",
    label: "Violence or threats",
    patterns: [
      /\b(hit|hits|hitting|punched|slapped|choked|strangled|beat|beats|beating)\s+(me|him|her|them)\b/i,
      /\bthreat(en|ened|ening)\s+to\s+(kill|hurt|harm)\b/i,
      /\b(kill|hurt)\s+(him|her|them)\b/i,
    ],
  },
  {
    id: "abuse",
    label: "Abuse or coercion",
    patterns: [/\b(abus(e|ed|es|ing|ive))\b/i, /\bforced\s+me\s+to\b/i, /\bwon'?t\s+let\s+me\s+(leave|go\s+out|see)\b/i],
  },
  {
    id: "danger_now",
    label: "In danger now",
    patterns: [
      /\b(i'?m|i\s+am|we'?re|we\s+are)\s+(not\s+safe|in\s+danger|scared\s+for\s+my\s+life)\b/i,
      /\bafraid\s+(he|she|they)\s+(will|'ll|might)\s+(hurt|kill)\b/i,
      /\b(locked\s+me\s+in|has\s+a\s+(gun|knife|weapon))\b/i,
    ],
  },
];

export type RiskMatch = { ruleId: string; label: string };

/** The rules `text` matches, each once, in the order of RISK_RULES. */
export function screenText(text: string): RiskMatch[] {
  const normalized = text.replace(/[\u2018\u2019]/g, "'").replace(/\s+/g, " ");
  return RISK_RULES.filter((rule) => rule.patterns.some((p) => p.test(normalized))).map((rule) => ({
    ruleId: rule.id,
    label: rule.label,
  }));
}
