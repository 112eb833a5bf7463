import { describe, expect, test } from "bun:test";
import type { Exec, ExecResult } from "../proc/spawn.ts";
import { socketPathFor, Tmux } from "./tmux.ts";

/** A tmux that records every argv and answers from a script. */
function fake(answers: Array<Partial<ExecResult>> = []): { tmux: Tmux; calls: string[][] } {
  const calls: string[][] = [];
  const exec: Exec = async (argv) => {
    calls.push(argv);
    return { code: 0, stdout: "", stderr: "", ...answers.shift() };
  };
  return { tmux: new Tmux("/tmp/tmux-0/dispatch", exec), calls };
}

describe("tmux: exact argv", () => {
  test("new-session: detached, the launcher as argv, then remain-on-exit, pipe-pane, titles and the attach hooks in the same call", async () => {
    const { tmux, calls } = fake([{ stdout: "4242 $7 /tmp/tmux-0/dispatch\n" }]);
    const created = await tmux.newSession({
      name: "claude-interactive-TASK-42",
      cwd: "/wt/TASK-#1",
      command: ["/usr/bin/bun", "/app/launcher.ts", "/state/specs/r1.json"],
      logPath: "/state/logs/it's.log",
      env: { DISPATCH_RUN_ID: "r1", DISPATCH_EVENTS: "/state/events/r1.jsonl" },
    });
    expect(created).toEqual({ pid: 4242, id: "$7", socket: "/tmp/tmux-0/dispatch" });
    const hook = (event: string) => `run-shell -b 'printf "%s\\n" "{\\"tmux\\":\\"${event}\\"}" >> "$DISPATCH_EVENTS"'`;
    expect(calls).toEqual([
      [
        "tmux",
        "-S",
        "/tmp/tmux-0/dispatch",
        "new-session",
        "-d",
        "-s",
        "claude-interactive-TASK-42",
        "-n",
        "claude",
        "-x",
        "200",
        "-y",
        "50",
        "-c",
        "/wt/TASK-##1",
        "-e",
        "DISPATCH_RUN_ID=r1",
        "-e",
        "DISPATCH_EVENTS=/state/events/r1.jsonl",
        "-P",
        "-F",
        "#{pane_pid} #{session_id} #{socket_path}",
        "--",
        "/usr/bin/bun",
        "/app/launcher.ts",
        "/state/specs/r1.json",
        ";",
        "set-option",
        "-p",
        "-t",
        "=claude-interactive-TASK-42:",
        "remain-on-exit",
        "on",
        ";",
        "pipe-pane",
        "-t",
        "=claude-interactive-TASK-42:",
        "-o",
        "exec cat >> '/state/logs/it'\\''s.log'",
        ";",
        "set-option",
        "-t",
        "=claude-interactive-TASK-42:",
        "set-titles",
        "on",
        ";",
        "set-option",
        "-t",
        "=claude-interactive-TASK-42:",
        "set-titles-string",
        "tmux:#{session_name}",
        ";",
        "set-hook",
        "-t",
        "=claude-interactive-TASK-42:",
        "client-attached",
        hook("client-attached"),
        ";",
        "set-hook",
        "-t",
        "=claude-interactive-TASK-42:",
        "client-detached",
        hook("client-detached"),
      ],
    ]);
  });

  test("an existing session of that name is no error: null", async () => {
    const { tmux } = fake([{ code: 1, stderr: "duplicate session: claude-interactive-TASK-42\n" }]);
    expect(await tmux.newSession({ name: "claude-interactive-TASK-42", cwd: "/", command: ["a", "b"], logPath: "/l", env: {} })).toBeNull();
  });

  test("a run's session is killed only when DISPATCH_RUN_ID says it is that run's, by its id when known", async () => {
    const mine = fake([{ stdout: "DISPATCH_RUN_ID=r1\n" }, {}]);
    expect(await mine.tmux.killRunSession({ name: "claude-x-T", id: "$7", runId: "r1" })).toBe(true);
    expect(mine.calls).toEqual([
      ["tmux", "-S", "/tmp/tmux-0/dispatch", "show-environment", "-t", "$7", "DISPATCH_RUN_ID"],
      ["tmux", "-S", "/tmp/tmux-0/dispatch", "kill-session", "-t", "$7"],
    ]);
    const theirs = fake([{ stdout: "DISPATCH_RUN_ID=r2\n" }]);
    expect(await theirs.tmux.killRunSession({ name: "claude-x-T", id: null, runId: "r1" })).toBe(false);
    expect(theirs.calls).toEqual([["tmux", "-S", "/tmp/tmux-0/dispatch", "show-environment", "-t", "=claude-x-T", "DISPATCH_RUN_ID"]]);
  });

  test("finding a run's session tells a live pane, a dead one, no such session and no server apart", async () => {
    const live = fake([{ stdout: "4242 $7 0\n" }, { stdout: "DISPATCH_RUN_ID=r1\n" }]);
    expect(await live.tmux.findRunSession("claude-x-T", "r1")).toEqual({ pid: 4242, id: "$7", dead: false });
    expect(live.calls[0]).toEqual([
      "tmux",
      "-S",
      "/tmp/tmux-0/dispatch",
      "list-panes",
      "-t",
      "=claude-x-T:",
      "-F",
      "#{pane_pid} #{session_id} #{pane_dead}",
    ]);
    expect(
      await fake([{ stdout: "4242 $7 1\n" }, { stdout: "DISPATCH_RUN_ID=r1\n" }]).tmux.findRunSession("claude-x-T", "r1"),
    ).toMatchObject({ dead: true });
    expect(await fake([{ stdout: "4242 $7 0\n" }, { stdout: "DISPATCH_RUN_ID=r9\n" }]).tmux.findRunSession("claude-x-T", "r1")).toBe(
      "absent",
    );
    expect(await fake([{ code: 1, stderr: "can't find session: claude-x-T\n" }]).tmux.findRunSession("claude-x-T", "r1")).toBe("absent");
    expect(await fake([{ code: 1, stderr: "no server running on /tmp/tmux-0/dispatch\n" }]).tmux.findRunSession("claude-x-T", "r1")).toBe(
      "no-server",
    );
  });

  test("clients leave out control-mode clients; at() asks another server with the same exec", async () => {
    const { tmux, calls } = fake([{ stdout: "0 /dev/pts/3 100\n1 /dev/pts/4 101\n" }]);
    expect(await tmux.at("/other/sock").clients("claude-x-T")).toEqual([{ tty: "/dev/pts/3", pid: 100 }]);
    expect(calls[0]?.slice(0, 3)).toEqual(["tmux", "-S", "/other/sock"]);
    expect(tmux.at(null)).toBe(tmux);
    expect(tmux.attachArgv("claude-x-T")).toEqual(["tmux", "-S", "/tmp/tmux-0/dispatch", "attach-session", "-t", "=claude-x-T"]);
  });
});

describe("tmux: which server a name means", () => {
  test("a -L label or default, in TMUX_TMPDIR or /tmp, per user; $TMUX only when no label is given", () => {
    const dir = `/tmp/dispatch-sock-test-${process.pid}`;
    expect(socketPathFor("work", { TMUX_TMPDIR: dir }, 1000)).toBe(`${dir}/tmux-1000/work`);
    expect(socketPathFor(undefined, { TMUX_TMPDIR: dir }, 1000)).toBe(`${dir}/tmux-1000/default`);
    expect(socketPathFor(undefined, { TMUX: "/tmp/tmux-5/mine,123,0" }, 5)).toBe("/tmp/tmux-5/mine");
    expect(socketPathFor("work", { TMUX: "/tmp/tmux-5/mine,123,0", TMUX_TMPDIR: dir }, 5)).toBe(`${dir}/tmux-5/work`);
    Bun.spawnSync(["rm", "-rf", dir]);
  });
});
