import ReactMarkdown, { defaultUrlTransform, type Components } from "react-markdown";

/** The only URLs a link may point to; anything else (relative, `javascript:`, `data:`…) is shown as text. */
const LINK_PROTOCOL = /^(https?|mailto):/i;

/**
 * react-markdown's own check first (it empties `javascript:`, `vbscript:`, `data:`… URLs),
 * then only absolute http(s) and mailto URLs are kept.
 */
export function safeUrl(url: string): string {
  const safe = defaultUrlTransform(url);
  return LINK_PROTOCOL.test(safe) ? safe : "";
}

/** h1 → h3 … h4+ → h6: the page already has its h1 and h2s, a description's headings come under them. */
function heading(level: 3 | 4 | 5 | 6): Components["h1"] {
  const Tag = `h${level}` as const;
  return ({ node: _node, ...props }) => <Tag {...props} />;
}

const COMPONENTS: Components = {
  // A link opens in a new tab, without giving that page a handle on this one; a link whose
  // URL was dropped as unsafe is left as its text.
  a: ({ node: _node, href, children, ...props }) =>
    href ? (
      <a {...props} href={href} target="_blank" rel="noopener noreferrer">
        {children}
      </a>
    ) : (
      <>{children}</>
    ),
  // No images: they would load a URL from whoever wrote the text. The alt text stands in.
  img: ({ alt }) => (alt ? <>{alt}</> : null),
  h1: heading(3),
  h2: heading(4),
  h3: heading(5),
  h4: heading(6),
  h5: heading(6),
  h6: heading(6),
};

/**
 * Markdown (CommonMark) rendered to React elements. Raw HTML in the text is never rendered
 * (react-markdown escapes it: no rehype-raw here, and none may be added).
 */
export function Markdown({ children }: { children: string }) {
  return (
    <div className="markdown">
      <ReactMarkdown components={COMPONENTS} urlTransform={safeUrl}>
        {children}
      </ReactMarkdown>
    </div>
  );
}
