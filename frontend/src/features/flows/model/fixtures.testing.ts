/**
 * Flow documents the model's tests and benchmark share: every module kind, nested
 * containers, empty bodies, and a generated 200-step flow.
 */
import type { FlowDocument, FlowModule } from "./types";

function script(id: string, expr = "flow_input.x", language = "python3"): FlowModule {
  return {
    id,
    summary: `Step ${id}`,
    value: {
      type: "rawscript",
      language,
      content: "def main(x):\n    return x\n",
      input_transforms: { x: { type: "javascript", expr } },
    },
  };
}

/** Every module kind and option shape the editor handles, containers inside containers. */
export function kitchenSink(): FlowDocument {
  return {
    summary: "Everything",
    description: "One of each",
    schema: { type: "object", properties: { x: { type: "integer" } }, required: [] },
    value: {
      modules: [
        script("a"),
        {
          id: "saved",
          value: { type: "script", path: "u/ada/saved", input_transforms: { y: { type: "static", value: 3 } } },
          retry: { constant: { attempts: 2, seconds: 1 } },
        },
        { id: "pinned", value: { type: "script", hash: "abc123", input_transforms: {} } },
        { id: "sub", value: { type: "flow", path: "f/ada/sub", input_transforms: {} }, skip_if: { expr: "results.a > 1" } },
        {
          id: "outer",
          summary: "Outer loop",
          value: {
            type: "forloopflow",
            iterator: { type: "javascript", expr: "results.a" },
            parallel: true,
            parallelism: { type: "javascript", expr: "results['saved']" },
            skip_failures: false,
            modules: [
              script("in1", "flow_input.iter.value"),
              {
                id: "inner",
                value: {
                  type: "whileloopflow",
                  skip_failures: true,
                  modules: [
                    {
                      id: "fan",
                      value: {
                        type: "branchall",
                        parallel: true,
                        branches: [
                          { summary: "left", skip_failure: true, modules: [script("l1", "results.in1")] },
                          { modules: [] },
                        ],
                      },
                    },
                    { ...script("tick", "results.fan"), stop_after_if: { expr: "result > 3", skip_if_stopped: false } },
                  ],
                },
                stop_after_all_iters_if: { expr: "results.in1 === 0" },
              },
              { id: "empty_loop", value: { type: "forloopflow", iterator: { type: "static", value: [1] }, modules: [] } },
            ],
          },
        },
        {
          id: "pick",
          value: {
            type: "branchone",
            branches: [
              { summary: "Big", expr: 'results["outer"].length > 2', modules: [script("big", "results.outer")] },
              { expr: "false", modules: [] },
            ],
            default: [{ id: "wait", value: { type: "identity" }, suspend: { required_events: 2, timeout: 60 } }],
          },
          sleep: { type: "javascript", expr: "results.a" },
        },
        { id: "pass", value: { type: "identity" }, mock: { enabled: true, return_value: 1 } },
      ],
      failure_module: script("on_fail", "error.message"),
      early_return: "a",
      concurrent_limit: 2,
    },
  };
}

/**
 * A flow of `count` modules (containers counted with what they hold): runs of scripts, with a
 * for loop holding a branchone, a while loop holding a branchall, and so on, nested a level.
 */
export function bigFlow(count = 200): FlowDocument {
  let made = 0;
  const next = (prefix: string) => `${prefix}_${(made += 1)}`;
  const leaf = (): FlowModule => {
    const id = next("s");
    return made % 7 === 0
      ? { id, value: { type: "identity" }, suspend: { required_events: 1 } }
      : made % 5 === 0
        ? { id, value: { type: "script", path: "u/ada/s", input_transforms: {} } }
        : script(id, "flow_input.x", made % 2 ? "python3" : "deno");
  };
  const block = (): FlowModule[] => {
    const loop: FlowModule = {
      id: next("loop"),
      value: { type: "forloopflow", iterator: { type: "javascript", expr: "[1,2]" }, modules: [] },
    };
    const pick: FlowModule = {
      id: next("pick"),
      value: { type: "branchone", branches: [{ expr: "true", modules: [] }, { expr: "false", modules: [] }], default: [] },
    };
    const all: FlowModule = { id: next("all"), value: { type: "branchall", branches: [{ modules: [] }, { modules: [] }] } };
    const whileLoop: FlowModule = { id: next("while"), value: { type: "whileloopflow", modules: [] } };
    if (pick.value.type === "branchone") {
      pick.value.branches[0]!.modules = [leaf(), leaf()];
      pick.value.branches[1]!.modules = [leaf()];
      pick.value.default = [leaf()];
    }
    if (all.value.type === "branchall") {
      all.value.branches[0]!.modules = [leaf(), leaf()];
      all.value.branches[1]!.modules = [leaf()];
    }
    if (loop.value.type === "forloopflow") loop.value.modules = [leaf(), pick, leaf()];
    if (whileLoop.value.type === "whileloopflow") whileLoop.value.modules = [leaf(), all];
    return [leaf(), leaf(), loop, leaf(), whileLoop, leaf()];
  };
  const modules: FlowModule[] = [];
  while (made < count) modules.push(...block());
  return { summary: "Big", schema: { type: "object", properties: {} }, value: { modules } };
}

/**
 * The example the docs ship, as text: a copy of the repository's
 * examples/flows/order_digest.flow.yaml (Vite serves nothing outside frontend/ to tests).
 */
export { default as ORDER_DIGEST_YAML } from "./testdata/order_digest.flow.yaml?raw";
