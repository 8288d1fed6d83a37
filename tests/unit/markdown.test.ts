import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import ReactMarkdown from "react-markdown";
import { describe, expect, it } from "vitest";
import { Markdown, PARSED_KEPT, parsedTextsKept, plainParagraphs } from "~/components/markdown";

// Plain text skips the Markdown parser (it is most of what people write, and parsing is slow);
// the page must look exactly as if it had gone through the parser.

const shown = (text: string) => renderToStaticMarkup(createElement(Markdown, { children: text }));
const parsed = (text: string) =>
  renderToStaticMarkup(createElement("div", { className: "prose-cairn " }, createElement(ReactMarkdown, { skipHtml: true, children: text })));

const PLAIN = [
  "Thanks, that helps.",
  "I keep replaying the conversation in my head and I can't tell if I was fair.",
  "First paragraph.\n\nSecond one, after a blank line.",
  "Two lines\nin one paragraph.",
  "\n\nSurrounded by blank lines.\n\n\n",
  "Quotes \"like this\", 'this', a colon: and a semicolon; (brackets) too? Yes.",
  "Numbers like 3 or 10.5 in a sentence, and 2024 too.",
  "Visit https://example.org/path?x=1 later",
  "Ünïcödé, emoji 🙂 and dashes — fine.",
  "",
];

const MARKDOWN = [
  "**bold**",
  "- a list",
  "1. numbered",
  "2) numbered",
  "# heading",
  "> a quote",
  "Title\n===",
  "Title\n---",
  "    indented code",
  "line with a hard break  \nnext",
  "a `code` span",
  "[a link](https://example.org)",
  "![an image](https://example.org/x.png)",
  "<b>html</b>",
  "&amp; an entity",
  "snake_case word",
  "escaped \\* star",
  " leading space",
  "   \n\nwhitespace-only line",
  "tab\tinside",
];

describe("plain text in Markdown", () => {
  it("renders text without Markdown exactly as the parser would", () => {
    for (const text of PLAIN) {
      expect(plainParagraphs(text), text).not.toBeNull();
      expect(shown(text), text).toBe(parsed(text));
    }
  });

  it("sends anything that could be Markdown to the parser", () => {
    for (const text of MARKDOWN) expect(plainParagraphs(text), text).toBeNull();
    expect(shown("**bold** and - not a list")).toContain("<strong>bold</strong>");
    expect(shown("- one\n- two")).toContain("<li>two</li>");
  });
});

describe("parsed Markdown kept for texts shown again", () => {
  it("shows a text the same the first time and every time after", () => {
    const texts = [...MARKDOWN, "Try this:\n\n- talk at 8pm\n- phones in the drawer", "[unsafe](javascript:alert(1)) and ![pixel](https://tracker.example/p.gif)"];
    const firstTime = texts.map(shown);
    const keptAfterFirst = parsedTextsKept();
    // Shown again, in another order: each text still gets its own rendering, and nothing new is parsed.
    expect([...texts].reverse().map(shown).reverse()).toEqual(firstTime);
    expect(parsedTextsKept()).toBe(keptAfterFirst);
    // The kept rendering has the safety rules applied: no script link, no image loaded.
    expect(firstTime.at(-1)).not.toContain("javascript:");
    expect(firstTime.at(-1)).not.toContain("<img");
    expect(firstTime.at(-1)).toContain('rel="nofollow noopener noreferrer"');
  });

  it("keeps at most PARSED_KEPT texts, dropping the one shown least recently", () => {
    const first = "**kept first**";
    shown(first);
    for (let i = 0; i < PARSED_KEPT + 20; i++) shown(`**text ${i}**`);
    expect(parsedTextsKept()).toBe(PARSED_KEPT);
    // The oldest was dropped; showing it again parses it again, with the same result.
    expect(shown(first)).toBe("<div class=\"prose-cairn \"><p><strong>kept first</strong></p></div>");
  });
});
