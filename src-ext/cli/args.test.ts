import { describe, expect, test } from "bun:test";
import { parseArgs } from "./args.ts";

const FLAGS = { "--json": "bool", "--detach": "bool", "--port": "value" } as const;

describe("CLI arguments", () => {
  test("own flags anywhere before --; other flags are extras for the agent", () => {
    const { positionals, flags } = parseArgs(["TASK-1", "--save-to", "r.md", "--detach", "--model=x", "--", "--json"], FLAGS);
    expect(positionals).toEqual(["TASK-1", "--save-to", "r.md", "--model=x", "--json"]);
    expect(flags.get("--detach")).toBe(true);
    expect(flags.has("--json")).toBe(false);
  });

  test("value flags take the next word or =value", () => {
    expect(parseArgs(["--port", "0"], FLAGS).flags.get("--port")).toBe("0");
    expect(parseArgs(["--port=5"], FLAGS).flags.get("--port")).toBe("5");
    expect(() => parseArgs(["--port"], FLAGS)).toThrow("needs a value");
    expect(() => parseArgs(["--json=1"], FLAGS)).toThrow("takes no value");
  });
});
