import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LAUNCHER, launcherArgv, launchScript } from "./launch-script.ts";
import type { LaunchSpec } from "./launch-spec.ts";

/** Strings a repository or a user could put in a task, an extra or a path: none may run as a command. */
const HOSTILE = [
  "plain",
  "it's",
  "'; touch PWNED; '",
  '"$(touch PWNED)"',
  "`touch PWNED`",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion, as a repository could write it
  "$HOME ${PATH} $((1+1))",
  "back\\slash \\' \\\\",
  "new\nline\n\nand more",
  "tab\there",
  "-n",
  "--",
  "",
  "emoji 🦀 and \u202e bidi",
  "*",
  "a;b|c&d>e<f",
];

function specIn(dir: string, argv: string[], env: Record<string, string> = {}): LaunchSpec {
  return {
    runId: "r1",
    mode: "code-review",
    taskId: "TASK-1",
    session: "claude-code-review-TASK-1",
    headless: true,
    origin: "api",
    extras: [],
    claimedAt: "",
    socket: null,
    branch: "task/TASK-1",
    argv,
    cwd: dir,
    env,
    stdin: "the prompt\n",
    logFile: join(dir, "log"),
    pidFile: join(dir, "pid.json"),
    exitFile: join(dir, "exit.json"),
    exitFallback: join(dir, "fallback", "exit.json"),
    saveTo: null,
    timeoutSeconds: null,
  };
}

function launch(dir: string, spec: LaunchSpec, input: string | null) {
  writeFileSync(join(dir, "spec.json"), JSON.stringify(spec));
  writeFileSync(join(dir, "spec.sh"), launchScript(spec, input));
  return Bun.spawnSync(launcherArgv(join(dir, "spec.json")), { cwd: dir, stdout: "pipe", stderr: "pipe" });
}

describe("the launcher's script", () => {
  test("every argv element and environment value reaches the agent byte for byte; none runs", () => {
    const dir = mkdtempSync(join(tmpdir(), "dispatch-launch-"));
    try {
      const input = join(dir, "in");
      writeFileSync(input, "the prompt\n");
      const env = Object.fromEntries(HOSTILE.map((v, i) => [`V${i}`, v]));
      // The agent prints its arguments, then the variables, NUL-separated, then its stdin.
      const agent = [
        "/bin/sh",
        "-c",
        'for a in "$@"; do printf "%s\\0" "$a"; done; i=0; while [ $i -lt 15 ]; do eval "printf \\"%s\\\\0\\" \\"\\$V$i\\""; i=$((i+1)); done; cat',
        "agent",
        ...HOSTILE,
      ];
      const ran = launch(dir, specIn(dir, agent, env), input);
      expect(ran.stderr.toString()).toBe("");
      expect(ran.exitCode).toBe(0);
      const out = ran.stdout.toString();
      const parts = out.split("\0");
      expect(parts.slice(0, HOSTILE.length)).toEqual(HOSTILE);
      expect(parts.slice(HOSTILE.length, 2 * HOSTILE.length)).toEqual(HOSTILE);
      expect(parts.at(-1)).toBe("the prompt\n");
      expect(Bun.spawnSync(["ls", dir]).stdout.toString()).not.toContain("PWNED");
      // Its records: where it ran (with the agent's pid), and how the agent ended.
      const start = JSON.parse(readFileSync(join(dir, "pid.json"), "utf8"));
      expect(start).toMatchObject({ pid: expect.any(Number), agentPid: expect.any(Number) });
      expect(JSON.parse(readFileSync(join(dir, "exit.json"), "utf8"))).toMatchObject({ code: 0, signal: null, reason: null, result: null });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("an agent's exit code and signal are recorded; a missing program is exit 127 with a reason", () => {
    const dir = mkdtempSync(join(tmpdir(), "dispatch-launch-"));
    try {
      writeFileSync(join(dir, "in"), "");
      expect(launch(dir, specIn(dir, ["/bin/sh", "-c", "exit 3"]), join(dir, "in")).exitCode).toBe(3);
      expect(JSON.parse(readFileSync(join(dir, "exit.json"), "utf8"))).toMatchObject({ code: 3, signal: null });
      launch(dir, specIn(dir, ["/bin/sh", "-c", "kill -TERM $$"]), join(dir, "in"));
      expect(JSON.parse(readFileSync(join(dir, "exit.json"), "utf8"))).toMatchObject({ code: 143, signal: "SIGTERM" });
      launch(dir, specIn(dir, [join(dir, "no-such-agent")]), join(dir, "in"));
      expect(JSON.parse(readFileSync(join(dir, "exit.json"), "utf8"))).toMatchObject({
        code: 127,
        reason: expect.stringContaining("could not start"),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a variable name that is not a name is refused before anything is written", () => {
    expect(() => launchScript(specIn("/w", ["true"], { "A;touch x": "v" }), null)).toThrow(/not a name/);
    expect(LAUNCHER.endsWith("launcher.sh")).toBe(true);
  });
});
