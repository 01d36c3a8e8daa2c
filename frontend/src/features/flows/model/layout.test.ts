import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { kitchenSink, ORDER_DIGEST_YAML } from "./fixtures.testing";
import { laneId, specToGraph } from "./graph";
import { GEOMETRY, layoutGraph, layoutKey, type LaidOutGraph } from "./layout";
import { updateModule } from "./edits";
import type { FlowDocument } from "./types";

function box(laid: LaidOutGraph, id: string) {
  const found = laid.nodes.find((n) => n.id === id);
  if (!found) throw new Error(`no node ${id}`);
  return found;
}

describe("layoutGraph", () => {
  it("lays the order digest out top to bottom, children inside their groups and relative to them", async () => {
    const laid = await layoutGraph(specToGraph(parse(ORDER_DIGEST_YAML) as FlowDocument));
    const top = ["flow:input", "fetch", "score", "decide", "send", "flow:end", "failure"].map((id) => box(laid, id));
    for (const [above, below] of top.slice(0, -1).map((b, i) => [b, top[i + 1]!] as const)) {
      expect(below.y, `${below.id} below ${above.id}`).toBeGreaterThanOrEqual(above.y + above.height);
    }
    expect(box(laid, "fetch")).toMatchObject(GEOMETRY.step);
    const loop = box(laid, "score");
    const body = box(laid, "score_one");
    expect(body.parentId).toBe("score");
    expect(body.y).toBeGreaterThanOrEqual(GEOMETRY.groupPadding.top);
    expect(body.x + body.width).toBeLessThanOrEqual(loop.width);
    expect(body.y + body.height).toBeLessThanOrEqual(loop.height);
    // Lanes in branch order, default last, side by side.
    const [first, fallback] = [box(laid, laneId("decide", 0)), box(laid, laneId("decide", "default"))];
    expect(first.x + first.width).toBeLessThan(fallback.x);
    expect(first.y).toBe(fallback.y);
  });

  it("lists parents before their children, and gives every node a size", async () => {
    const laid = await layoutGraph(specToGraph(kitchenSink()));
    const seen = new Set<string>();
    for (const n of laid.nodes) {
      if (n.parentId) expect(seen.has(n.parentId), n.id).toBe(true);
      seen.add(n.id);
      expect(n.width).toBeGreaterThan(0);
      expect(n.height).toBeGreaterThan(0);
    }
    expect(box(laid, "empty_loop")).toMatchObject(GEOMETRY.emptyGroup);
    expect(laid.width).toBeGreaterThan(0);
  });

  it("keys the layout on the graph's shape, not on labels", () => {
    const doc = kitchenSink();
    const renamed = updateModule(doc, "a", (m) => ({ ...m, summary: "A new summary" }));
    expect(layoutKey(specToGraph(renamed))).toBe(layoutKey(specToGraph(doc)));
    const moved = updateModule(doc, "outer", (m) => ({ ...m, value: { ...m.value, modules: [] } }));
    expect(layoutKey(specToGraph(moved))).not.toBe(layoutKey(specToGraph(doc)));
  });
});
