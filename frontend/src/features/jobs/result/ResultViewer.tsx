import { useMemo, useState } from "react";
import { formatJson } from "../../../lib/format";
import { copyLabel, useCopyText } from "../logs/textExport";
import { JsonTree } from "./JsonTree";
import { ResultTable } from "./ResultTable";
import { resultKind, type ResultKind } from "./resultKind";
import "./result.css";

/** "primary" is the kind's own view (a table, an image); json results have none. */
type View = "primary" | "tree" | "raw";

function viewsOf(kind: ResultKind): [View, string][] {
  if (kind.kind === "table") return [["primary", "Table"], ["tree", "JSON"], ["raw", "Raw"]];
  if (kind.kind === "image") return [["primary", "Image"], ["tree", "JSON"], ["raw", "Raw"]];
  return [["tree", "Tree"], ["raw", "Raw"]];
}

interface ResultViewerProps {
  result: unknown;
  /** Base name of downloaded files (CSV, image), without extension. */
  fileName?: string;
  /** Set on the element holding the current view (and no toolbar). */
  "data-testid"?: string;
}

/** A job's result: an image, a table or a JSON tree, as its value suggests, with its raw JSON a click away. */
export function ResultViewer({ result, fileName = "result", "data-testid": testId }: ResultViewerProps) {
  const kind = useMemo(() => resultKind(result), [result]);
  const views = viewsOf(kind);
  const [chosen, setChosen] = useState<View>("primary");
  // A refetched result can change kind: fall back to its first view.
  const view = views.some(([v]) => v === chosen) ? chosen : (views[0]?.[0] ?? "tree");
  const [copyStatus, copy] = useCopyText();

  return (
    <div className="result-viewer">
      <div className="result-toolbar">
        <div className="result-views" role="group" aria-label="Result view">
          {views.map(([value, label]) => (
            <button
              key={value}
              type="button"
              className="button button-small"
              aria-pressed={view === value}
              onClick={() => setChosen(value)}
            >
              {label}
            </button>
          ))}
        </div>
        <button type="button" className="button button-small" onClick={() => copy(() => formatJson(result))}>
          {copyLabel(copyStatus)}
        </button>
      </div>
      <div className="result-body" data-testid={testId}>
        {view === "raw" ? (
          <RawJson result={result} />
        ) : view === "tree" ? (
          <JsonTree value={result} />
        ) : kind.kind === "table" ? (
          <ResultTable rows={kind.rows} columns={kind.columns} omittedColumns={kind.omittedColumns} fileName={fileName} />
        ) : kind.kind === "image" ? (
          <ResultImage src={kind.src} mime={kind.mime} alt={kind.alt} fileName={fileName} />
        ) : null}
      </div>
    </div>
  );
}

function RawJson({ result }: { result: unknown }) {
  const text = useMemo(() => formatJson(result), [result]);
  return <pre className="result-raw">{text}</pre>;
}

const EXTENSIONS: Record<string, string> = { "image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp" };

function ResultImage({ src, mime, alt, fileName }: { src: string; mime: string; alt: string; fileName: string }) {
  return (
    <figure className="result-image">
      <img src={src} alt={alt} />
      <figcaption>
        {/* A data URL cannot be opened as a page (browsers block it): the link downloads it instead. */}
        <a href={src} download={`${fileName}.${EXTENSIONS[mime] ?? "img"}`}>
          Download image
        </a>
      </figcaption>
    </figure>
  );
}
