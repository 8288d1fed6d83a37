import ReactMarkdown, { type Components } from "react-markdown";

// The one way user-written Markdown is shown. Raw HTML in the source is dropped (never
// rendered), unsafe link protocols are removed by react-markdown's URL filter, images are
// turned into their alt text, and links can't pass on the page's authority or window.

const components: Components = {
  a: ({ href, children }) => (
    <a href={href} rel="nofollow noopener noreferrer">
      {children}
    </a>
  ),
  // Headings inside user text must not break the page's outline: render them as strong text.
  h1: ({ children }) => <p className="font-semibold">{children}</p>,
  h2: ({ children }) => <p className="font-semibold">{children}</p>,
  h3: ({ children }) => <p className="font-semibold">{children}</p>,
  h4: ({ children }) => <p className="font-semibold">{children}</p>,
  h5: ({ children }) => <p className="font-semibold">{children}</p>,
  h6: ({ children }) => <p className="font-semibold">{children}</p>,
};

export function Markdown({ children, className }: { children: string; className?: string }) {
  return (
    <div className={`prose-cairn ${className ?? ""}`}>
      <ReactMarkdown skipHtml disallowedElements={["img"]} unwrapDisallowed components={components}>
        {children}
      </ReactMarkdown>
    </div>
  );
}
