/** Export: the editor's current document as a file, the way the server's export names it. */
import { toYaml } from "../model/yamlText";
import type { FlowDocument } from "../model/types";

export type ExportFormat = "yaml" | "json";

export function exportText(doc: FlowDocument, format: ExportFormat): string {
  return format === "yaml" ? toYaml(doc) : `${JSON.stringify(doc, null, 2)}\n`;
}

/** `f/billing/close_month` → `close_month.flow.yaml` (as GET /flows/export names it). */
export function exportFileName(path: string, format: ExportFormat): string {
  const name = path.split("/").filter(Boolean).pop() ?? "";
  return `${name === "" ? "flow" : name}.flow.${format}`;
}

/** Starts a download of `doc` (what is in the editor, deployed or not). */
export function downloadDoc(doc: FlowDocument, path: string, format: ExportFormat): void {
  const type = format === "yaml" ? "application/yaml" : "application/json";
  const url = URL.createObjectURL(new Blob([exportText(doc, format)], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = exportFileName(path, format);
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Revoked on the next tick: the click has started the download by then.
  window.setTimeout(() => URL.revokeObjectURL(url), 0);
}
