// Runs inside the sandbox: load /job/main.ts, call main(...) with its arguments, write the result.
//
// Files in: main.ts, args.json ({name: value}) and order.json ([{name, date}], main's parameters
// in order, written by typescript.py's prepare). Files out: result.json, or error.json
// ({name, message, traceback}) with exit code 1. console output is the job's log.
// No imports: this file is mounted read-only into every Deno jail, which has no network.

type Param = { name: string; date: boolean };

const JOB_DIR = Deno.env.get("KILN_JOB_DIR") ?? "/job";
const WRAPPER_URL = import.meta.url;

function jobPath(name: string): string {
  return `${JOB_DIR}/${name}`;
}

async function readJson<T>(name: string): Promise<T> {
  return JSON.parse(await Deno.readTextFile(jobPath(name))) as T;
}

// Make common non-JSON values JSON, as the Python wrapper does: Map, Set, BigInt, typed arrays.
function toJson(_key: string, value: unknown): unknown {
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Set) return [...value];
  if (typeof value === "bigint") {
    return Number.isSafeInteger(Number(value))
      ? Number(value)
      : value.toString();
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number>);
  }
  return value;
}

async function writeJson(name: string, payload: unknown): Promise<void> {
  // undefined (a main that returns nothing) is null in JSON; write then rename, so the
  // worker never reads half a file.
  const body = JSON.stringify(payload === undefined ? null : payload, toJson) ??
    "null";
  const tmp = jobPath(`${name}.tmp`);
  await Deno.writeTextFile(tmp, body);
  await Deno.rename(tmp, jobPath(name));
}

// Missing arguments are undefined, so main's own defaults apply; date-time strings become
// Date objects for parameters typed `Date`.
function argumentsFor(
  order: Param[],
  args: Record<string, unknown>,
): unknown[] {
  return order.map(({ name, date }) => {
    const value = Object.hasOwn(args, name) ? args[name] : undefined;
    return date && typeof value === "string" ? new Date(value) : value;
  });
}

// The stack without the wrapper's own frames: the user's code is what they need to see.
function userStack(error: Error): string {
  const lines = (error.stack ?? `${error.name}: ${error.message}`).split("\n");
  return lines.filter((line) => !line.includes(WRAPPER_URL)).join("\n");
}

function describe(
  thrown: unknown,
): { name: string; message: string; traceback: string } {
  if (thrown instanceof Error) {
    return {
      name: thrown.name,
      message: thrown.message,
      traceback: userStack(thrown),
    };
  }
  // `throw "text"` or `throw {code: 1}`: no stack to show, only the value.
  const message = typeof thrown === "string"
    ? thrown
    : JSON.stringify(thrown, toJson) ?? String(thrown);
  return { name: "Error", message, traceback: "" };
}

async function run(): Promise<number> {
  const args = await readJson<Record<string, unknown>>("args.json");
  const order = await readJson<Param[]>("order.json");
  let result: unknown;
  try {
    const script = await import(new URL(`file://${jobPath("main.ts")}`).href);
    if (typeof script.main !== "function") {
      throw new TypeError("main.ts does not export a function named main");
    }
    result = await script.main(...argumentsFor(order, args));
  } catch (thrown) {
    const error = describe(thrown);
    console.error(error.traceback || `${error.name}: ${error.message}`);
    await writeJson("error.json", error);
    return 1;
  }
  try {
    await writeJson("result.json", result);
  } catch (thrown) { // a cycle or a throwing toJSON: the result cannot be sent back
    const error = describe(thrown);
    await writeJson("error.json", { ...error, name: "InvalidResult" });
    return 1;
  }
  return 0;
}

// Exit at once: a timer or socket the script left open must not keep the job running.
Deno.exit(await run());
