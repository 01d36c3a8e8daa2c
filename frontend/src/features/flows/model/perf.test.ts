/**
 * How long the editor's model takes on a 200-step flow (loops and branches nested inside each
 * other): projecting and laying out the graph, and one edit. Prints the median of five runs
 * of each; nothing asserts on times (machines differ), only that the work is done.
 */
import { describe, expect, it } from "vitest";
import { allModuleIds, findModule, insertModule, newModule } from "./edits";
import { bigFlow } from "./fixtures.testing";
import { specToGraph } from "./graph";
import { layoutGraph } from "./layout";
import type { Position } from "./types";

const doc = bigFlow(200);
// Inside the first loop's body: nested, as most edits are.
const firstLoop = doc.value.modules.find((m) => m.value.type === "forloopflow")?.id ?? "";
const nested: Position = { list: [{ module: firstLoop, list: "modules" }], index: 1 };

async function median(run: () => unknown, times = 5): Promise<number> {
  const took: number[] = [];
  for (let i = 0; i < times; i += 1) {
    const start = performance.now();
    await run();
    took.push(performance.now() - start);
  }
  took.sort((a, b) => a - b);
  return took[Math.floor(times / 2)] ?? Number.NaN;
}

describe("the model on a 200-step flow", () => {
  it("projects, lays out and edits it, and prints how long that takes", async () => {
    const modules = allModuleIds(doc).length;
    expect(modules).toBeGreaterThanOrEqual(200);
    // A first run warms the JIT and loads ELK; the medians are of the five after it.
    const laid = await layoutGraph(specToGraph(doc));
    expect(laid.nodes).toHaveLength(specToGraph(doc).nodes.length);

    const layout = await median(() => layoutGraph(specToGraph(doc)));
    const graphOnly = await median(() => specToGraph(doc));
    const edit = await median(() => specToGraph(insertModule(doc, nested, newModule("rawscript", doc))));
    expect(findModule(insertModule(doc, nested, newModule("rawscript", doc)), "a")?.position).toEqual(nested);

    console.log(
      `[flows perf] ${modules} modules, ${laid.nodes.length} nodes, median of 5: ` +
        `specToGraph + layoutGraph ${layout.toFixed(1)} ms (specToGraph alone ${graphOnly.toFixed(2)} ms); ` +
        `insertModule + specToGraph ${edit.toFixed(2)} ms`,
    );
  });
});
