import { lazy, Suspense } from "react";

// The Markdown parser is ~35 kB gzipped: it loads on first use, in its own chunk, so the
// home route does not pay for it.
const Markdown = lazy(() => import("./Markdown").then((module) => ({ default: module.Markdown })));

/** Markdown rendered once its chunk is loaded; until then the text itself, so the page does not jump. */
export function LazyMarkdown({ children }: { children: string }) {
  return (
    <Suspense fallback={<p className="markdown-loading">{children}</p>}>
      <Markdown>{children}</Markdown>
    </Suspense>
  );
}
