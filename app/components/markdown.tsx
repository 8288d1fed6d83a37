import { Fragment, type ReactElement, type ReactNode } from "react";
import parseMarkdown, { type Components } from "react-markdown";

// The one way user-written Markdown is shown. Raw HTML in the source is dropped (never
// rendered), and react-markdown's URL filter empties any link or image address whose protocol
// isn't http(s), mailto, irc or xmpp (javascript:, data:, vbscript: in any spelling).
//
// Images never load: a picture from another site would tell its owner when, and from where, the
// page was read (a tracking pixel in a client's question, say). Each image becomes a link to it,
// named by its alt text, for the reader to open if they choose. A link whose address was removed
// is shown as its text. Links can't pass on the page's authority or window.

const rel = "nofollow noopener noreferrer";

function Link({ href, children }: { href?: string; children?: ReactNode }) {
  return href ? (
    <a href={href} rel={rel}>
      {children}
    </a>
  ) : (
    <>{children}</>
  );
}

const components: Components = {
  a: ({ href, children }) => <Link href={href}>{children}</Link>,
  img: ({ src, alt }) => <Link href={typeof src === "string" ? src : undefined}>{`Image: ${alt?.trim() || "untitled"}`}</Link>,
  // Headings inside user text must not break the page's outline: render them as strong text.
  h1: ({ children }) => <p className="font-semibold">{children}</p>,
  h2: ({ children }) => <p className="font-semibold">{children}</p>,
  h3: ({ children }) => <p className="font-semibold">{children}</p>,
  h4: ({ children }) => <p className="font-semibold">{children}</p>,
  h5: ({ children }) => <p className="font-semibold">{children}</p>,
  h6: ({ children }) => <p className="font-semibold">{children}</p>,
};

// Most messages are plain sentences. Parsing one with react-markdown costs about a millisecond
// (a 200-post thread spent most of its render there), so text that cannot contain any Markdown
// is shown as its paragraphs directly, exactly as the parser would render it
// (tests/unit/markdown.test.tsx compares the two). Anything else goes to the parser.

/** Characters that can start Markdown anywhere in a line (emphasis, code, links, HTML, escapes…). */
const INLINE_SYNTAX = /[\\`*_[\]<>&!~|\t\r\0]/;
/** What can start a block at the beginning of a line: lists, quotes, headings, fences, breaks. */
const BLOCK_START = /^(?:[-+*>#=~]|\d{1,9}[.)])/;

/** The paragraphs of `text` when it holds no Markdown at all, else null. */
export function plainParagraphs(text: string): string[] | null {
  if (INLINE_SYNTAX.test(text)) return null;
  const paragraphs: string[] = [];
  let current: string[] = [];
  for (const line of text.split("\n")) {
    if (line === "") {
      if (current.length) paragraphs.push(current.join("\n"));
      current = [];
      continue;
    }
    // Leading or trailing spaces change meaning (indented code, hard line breaks).
    if (line.trim() !== line || BLOCK_START.test(line)) return null;
    current.push(line);
  }
  if (current.length) paragraphs.push(current.join("\n"));
  return paragraphs;
}

export function Markdown({ children, className }: { children: string; className?: string }) {
  const plain = plainParagraphs(children);
  if (plain) {
    return (
      <div className={`prose-cairn ${className ?? ""}`}>
        {plain.map((paragraph, i) => (
          // The parser puts a line break between blocks; keep the markup identical.
          <Fragment key={i}>
            {i > 0 ? "\n" : null}
            <p>{paragraph}</p>
          </Fragment>
        ))}
      </div>
    );
  }
  return <div className={`prose-cairn ${className ?? ""}`}>{parsed(children)}</div>;
}

// The same texts are shown again and again: a thread's messages to everyone who opens it, and to
// the writer again after every reply (the page reloads); a plan step's guidance on the portal of
// every client the plan was given to. So the parser's output (React elements, which never change
// once made) is kept for the texts shown most recently. It depends on nothing but the text, so a
// kept rendering is exactly what parsing again would give. Bounded: past PARSED_KEPT texts, the
// one shown least recently goes.

export const PARSED_KEPT = 500;
const kept = new Map<string, ReactElement>();

/** How many parsed texts are kept now (for tests). */
export function parsedTextsKept() {
  return kept.size;
}

function parsed(text: string): ReactElement {
  const found = kept.get(text);
  if (found) {
    // Most recently shown last: a Map keeps insertion order.
    kept.delete(text);
    kept.set(text, found);
    return found;
  }
  // react-markdown's component is a plain function of its props (no hooks), so calling it gives
  // the elements it would render.
  const element = parseMarkdown({ children: text, skipHtml: true, components });
  if (kept.size >= PARSED_KEPT) kept.delete(kept.keys().next().value!);
  kept.set(text, element);
  return element;
}
