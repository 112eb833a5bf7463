import { describe, expect, test } from "bun:test";
import { DispatchError } from "../errors.ts";
import { matchRoute } from "./routes.ts";

const match = (method: string, path: string) => {
  const found = matchRoute(method, path);
  return found && { prefix: found.route.prefix, target: found.route.target, mode: found.mode, id: found.id };
};

describe("route matching", () => {
  test("mode and id routes take everything after the mode as the id, so validation names what is wrong", () => {
    expect(match("POST", "/dispatch/interactive/TASK-42")).toEqual({
      prefix: "dispatch",
      target: "mode-id",
      mode: "interactive",
      id: "TASK-42",
    });
    expect(match("POST", "/dispatch/m/a/b")).toMatchObject({ mode: "m", id: "a/b" });
    expect(match("GET", "/status/code-review/TASK%2F42")).toMatchObject({ id: "TASK/42" });
    expect(match("POST", "/dispatch/m")).toMatchObject({ mode: "m", id: "" });
  });

  test("list and item routes are told apart by what follows the prefix", () => {
    expect(match("GET", "/tasks")).toMatchObject({ target: "none" });
    expect(match("GET", "/tasks/")).toMatchObject({ target: "none" });
    expect(match("GET", "/tasks/TASK-42")).toMatchObject({ target: "id", id: "TASK-42" });
    expect(match("GET", "/runs")).toMatchObject({ prefix: "runs", target: "none" });
    // One path, two routes by method.
    expect(match("GET", "/trust")).toMatchObject({ prefix: "trust" });
    expect(match("POST", "/trust")).toMatchObject({ prefix: "trust" });
    expect(() => match("DELETE", "/trust")).toThrow("DELETE is not allowed on /trust (use GET or POST)");
  });

  test("an unknown prefix is no route; a known one with the wrong method says which methods it takes", () => {
    expect(match("GET", "/nope")).toBeNull();
    expect(match("GET", "/")).toBeNull();
    expect(() => match("DELETE", "/stop/m/T")).toThrow("DELETE is not allowed on /stop (use GET or POST)");
    let code: string | undefined;
    try {
      match("GET", "/dispatch/m/T");
    } catch (error) {
      code = (error as DispatchError).code;
    }
    expect(code).toBe("method_not_allowed");
  });

  test("bad percent-encoding is a 400, not a crash", () => {
    expect(() => match("GET", "/status/m/%E0%A4%A")).toThrow(DispatchError);
  });
});
