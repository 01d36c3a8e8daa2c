import { gzipSync } from "node:zlib";
import type { Plugin } from "vite";

/**
 * `npm run build` prints what the first page load downloads: the entry chunk
 * and every chunk it imports statically (lazy `import()` chunks are listed apart),
 * and fails the build when that initial JavaScript passes the budget, gzipped.
 */

/** Gzipped kB (1000 bytes, as Vite prints sizes) of initial JavaScript the home route may load. */
export const INITIAL_JS_BUDGET_KB = 300;

/** The fields of a Rollup/Rolldown output chunk this report reads. */
export interface ReportChunk {
  type: "chunk";
  fileName: string;
  code: string;
  isEntry: boolean;
  imports: readonly string[];
  dynamicImports: readonly string[];
}

interface ReportAsset {
  type: "asset";
  fileName: string;
}

export type ReportBundle = Record<string, ReportChunk | ReportAsset | { type: string; fileName: string }>;

export interface ChunkSize {
  fileName: string;
  rawKb: number;
  gzipKb: number;
}

export interface BundleReport {
  initial: ChunkSize[];
  lazy: ChunkSize[];
  initialGzipKb: number;
  initialRawKb: number;
}

function isChunk(output: ReportBundle[string]): output is ReportChunk {
  return output.type === "chunk";
}

const KB = 1000;

function sizeOf(chunk: ReportChunk): ChunkSize {
  const raw = Buffer.byteLength(chunk.code);
  // Level 9, as a static-file server or CDN would compress it once and cache it.
  const gzip = gzipSync(chunk.code, { level: 9 }).length;
  return { fileName: chunk.fileName, rawKb: raw / KB, gzipKb: gzip / KB };
}

/** Splits the bundle's chunks into those loaded up front (entries and their static imports) and the lazy rest. */
export function measureBundle(bundle: ReportBundle): BundleReport {
  const chunks = new Map<string, ReportChunk>();
  for (const output of Object.values(bundle)) if (isChunk(output)) chunks.set(output.fileName, output);

  const initial = new Set<string>();
  const walk = (fileName: string) => {
    if (initial.has(fileName)) return;
    const chunk = chunks.get(fileName);
    if (chunk === undefined) return;
    initial.add(fileName);
    chunk.imports.forEach(walk);
  };
  for (const chunk of chunks.values()) if (chunk.isEntry) walk(chunk.fileName);

  const sizes = [...chunks.values()].map(sizeOf).sort((a, b) => b.gzipKb - a.gzipKb);
  const initialSizes = sizes.filter((s) => initial.has(s.fileName));
  return {
    initial: initialSizes,
    lazy: sizes.filter((s) => !initial.has(s.fileName)),
    initialGzipKb: initialSizes.reduce((sum, s) => sum + s.gzipKb, 0),
    initialRawKb: initialSizes.reduce((sum, s) => sum + s.rawKb, 0),
  };
}

function row(name: string, raw: string, gzip: string, width: number): string {
  return `  ${name.padEnd(width)}  ${raw.padStart(10)}  ${gzip.padStart(10)}`;
}

/** The report as printed: a table of initial chunks with a total, then the lazy ones. */
export function formatReport(report: BundleReport, budgetKb: number = INITIAL_JS_BUDGET_KB): string {
  const width = Math.max(24, ...[...report.initial, ...report.lazy].map((s) => s.fileName.length));
  const line = (s: ChunkSize) => row(s.fileName, s.rawKb.toFixed(1), s.gzipKb.toFixed(1), width);
  const out = [
    "",
    "Initial JavaScript of the home route (entry + static imports):",
    row("chunk", "raw kB", "gzip kB", width),
    ...report.initial.map(line),
    row("total", report.initialRawKb.toFixed(1), report.initialGzipKb.toFixed(1), width),
    `  budget: ${budgetKb} kB gzipped (${((report.initialGzipKb / budgetKb) * 100).toFixed(0)}% used)`,
  ];
  if (report.lazy.length > 0) {
    out.push("", "Lazy chunks (loaded on demand, not in the total):", row("chunk", "raw kB", "gzip kB", width));
    out.push(...report.lazy.map(line));
  }
  return out.join("\n") + "\n";
}

/** The Vite plugin: reports after bundling and fails the build over budget. */
export function bundleReport({ budgetKb = INITIAL_JS_BUDGET_KB }: { budgetKb?: number } = {}): Plugin {
  return {
    name: "kiln-bundle-report",
    apply: "build",
    generateBundle(_options, bundle) {
      const report = measureBundle(bundle as unknown as ReportBundle);
      process.stdout.write(formatReport(report, budgetKb));
      if (report.initialGzipKb > budgetKb) {
        this.error(
          `initial JavaScript is ${report.initialGzipKb.toFixed(1)} kB gzipped, over the ${budgetKb} kB budget: ` +
            "lazy-load the heavy parts (React.lazy / import()) of routes other than home",
        );
      }
    },
  };
}
