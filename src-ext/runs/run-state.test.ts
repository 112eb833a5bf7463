import { describe, expect, test } from "bun:test";
import { type Observation, PHASES, type Phase, type RunFacts, resultReason, transition } from "./run-state.ts";

const NOW = "2026-11-30T10:00:00.000Z";
const ENDED = "2026-11-30T09:59:00.000Z";

function run(phase: Phase, extra: Partial<RunFacts> = {}): RunFacts {
  const over = phase !== "starting" && phase !== "running";
  return {
    phase,
    exitCode: phase === "finished" ? 0 : phase === "failed" ? 3 : null,
    reason: over ? `was ${phase}` : null,
    result: null,
    activity: null,
    pending: null,
    sessionId: null,
    endedAt: over ? ENDED : null,
    worktree: phase === "starting" ? null : "/wt/T",
    branch: phase === "starting" ? null : "task/T",
    pid: phase === "starting" ? null : 100,
    pidStart: phase === "starting" ? null : "5000",
    tmuxId: null,
    socket: null,
    ...extra,
  };
}

const where = { pid: 200, pidStart: "6000", tmuxId: "$3", socket: "/tmp/tmux-0/default" };
const exit = (code: number) => ({ code, signal: null, endedAt: ENDED, reason: null, result: null });

const OBSERVATIONS: Record<string, Observation> = {
  launched: { kind: "launched", where, worktree: "/wt/T", branch: "task/T" },
  "launch-failed": { kind: "launch-failed", reason: "git failed" },
  "exit 0": { kind: "exit", exit: exit(0) },
  "exit 4": { kind: "exit", exit: exit(4) },
  alive: { kind: "alive", where: { pid: 100, pidStart: "5000" } },
  gone: { kind: "gone", reason: "the agent's process vanished without an exit code" },
  "never-started": { kind: "never-started", reason: "the dispatching process exited first" },
  stop: { kind: "stop" },
  activity: { kind: "activity", activity: "working" },
};

/**
 * Every phase × every observation: the phase after it ("=" unchanged), whether what remains of
 * the run is ended, or null for no change at all.
 */
type Expect = { phase: Phase | "="; endRemains: boolean } | null;
const same = (endRemains = false): Expect => ({ phase: "=", endRemains });
const to = (phase: Phase, endRemains = false): Expect => ({ phase, endRemains });

const TABLE: Record<Phase, Record<keyof typeof OBSERVATIONS, Expect>> = {
  starting: {
    launched: to("running"),
    "launch-failed": to("failed"),
    "exit 0": to("finished", true),
    "exit 4": to("failed", true),
    alive: to("running"),
    gone: to("lost", true),
    "never-started": to("failed", true),
    stop: to("stopped", true),
    activity: same(),
  },
  running: {
    // Whereabouts differ from the recorded ones: recorded, the phase stays.
    launched: same(),
    "launch-failed": null,
    "exit 0": to("finished", true),
    "exit 4": to("failed", true),
    alive: null,
    gone: to("lost", true),
    "never-started": null,
    stop: to("stopped", true),
    activity: same(),
  },
  finished: {
    launched: same(),
    "launch-failed": null,
    "exit 0": null,
    "exit 4": null,
    alive: null,
    gone: null,
    "never-started": null,
    stop: same(true),
    activity: null,
  },
  failed: {
    launched: same(),
    "launch-failed": null,
    "exit 0": null,
    "exit 4": null,
    alive: null,
    gone: null,
    "never-started": null,
    stop: same(true),
    activity: null,
  },
  stopped: {
    // Stopped while launching: the launch is undone.
    launched: same(true),
    "launch-failed": null,
    // The exit the Stop provoked: noted, still stopped.
    "exit 0": same(),
    "exit 4": same(),
    alive: same(true),
    gone: null,
    "never-started": null,
    stop: same(true),
    activity: null,
  },
  lost: {
    launched: same(),
    "launch-failed": null,
    // A late exit code is the truth.
    "exit 0": to("finished", true),
    "exit 4": to("failed", true),
    alive: to("running"),
    gone: null,
    "never-started": null,
    stop: same(true),
    activity: null,
  },
};

describe("run-state: every phase × every observation", () => {
  for (const phase of PHASES) {
    for (const [name, observation] of Object.entries(OBSERVATIONS)) {
      test(`${phase} + ${name}`, () => {
        const before = run(phase);
        const got = transition(before, observation, NOW);
        const want = TABLE[phase][name] as Expect;
        if (!want) {
          expect(got).toBeNull();
          return;
        }
        expect(got).not.toBeNull();
        expect(got?.endRemains).toBe(want.endRemains);
        expect(got?.set.phase ?? before.phase).toBe(want.phase === "=" ? before.phase : want.phase);
      });
    }
  }
});

describe("run-state: what is recorded", () => {
  test("an exit records its code, reason and end time, and clears the activity", () => {
    const got = transition(
      run("running", { activity: "working" }),
      { kind: "exit", exit: { ...exit(4), reason: "timed out after 5 s" } },
      NOW,
    );
    expect(got?.set).toMatchObject({ phase: "failed", exitCode: 4, reason: "timed out after 5 s", endedAt: ENDED, activity: null });
  });

  test("exit 0 with a reason from the launcher (a refused --save-to) is a failure with that reason", () => {
    const got = transition(run("running"), { kind: "exit", exit: { ...exit(0), reason: "--save-to: review.md is a symbolic link" } }, NOW);
    expect(got?.set).toMatchObject({ phase: "failed", exitCode: 0, reason: "--save-to: review.md is a symbolic link" });
  });

  test("a signal without a reason says which signal", () => {
    const got = transition(run("running"), { kind: "exit", exit: { ...exit(143), signal: "SIGTERM" } }, NOW);
    expect(got?.set.reason).toBe("ended by SIGTERM");
  });

  test("exit 0 with an error result is a failure (Claude Code's result event decides), with its reason", () => {
    const result = { isError: true, subtype: "success" };
    const got = transition(run("running"), { kind: "exit", exit: { ...exit(0), result } }, NOW);
    expect(got?.set).toMatchObject({ phase: "failed", exitCode: 0, reason: "the agent reported an error (success)" });
  });

  test("the reasons Claude Code's result gives (FACTS §6): an API error with its status, max turns, any other stop", () => {
    const failed = (result: Record<string, unknown>) =>
      transition(run("running"), { kind: "exit", exit: { ...exit(1), result } }, NOW)?.set.reason;
    expect(failed({ isError: true, subtype: "success", apiErrorStatus: 400, text: "API Error: 400 bad request" })).toBe(
      "API error 400: bad request",
    );
    expect(failed({ isError: true, subtype: "error_max_turns", errors: ["Reached maximum number of turns (2)"] })).toBe(
      "Reached maximum number of turns (2)",
    );
    expect(failed({ isError: true, terminalReason: "max_budget", errors: ["over budget"] })).toBe("stopped: max_budget (over budget)");
    expect(resultReason({ isError: false, subtype: "success" })).toBeNull();
  });

  test("the exit a Stop provoked is noted once; the first code stays", () => {
    expect(transition(run("stopped"), { kind: "exit", exit: exit(143) }, NOW)?.set).toEqual({ exitCode: 143 });
    expect(transition(run("stopped", { exitCode: 143 }), { kind: "exit", exit: exit(0) }, NOW)).toBeNull();
  });

  test("found alive again: lost is taken back, with no end time or reason", () => {
    const got = transition(run("lost"), { kind: "alive", where: { pid: 100 } }, NOW);
    expect(got?.set).toEqual({ phase: "running", reason: null, endedAt: null });
  });

  test("an alive observation without news changes nothing; unknown whereabouts never erase known ones", () => {
    expect(transition(run("running"), { kind: "alive", where: { pid: 100, pidStart: null } }, NOW)).toBeNull();
    expect(transition(run("running"), { kind: "alive", where: { socket: "/s" } }, NOW)?.set).toEqual({ socket: "/s" });
  });

  test("a launch records where the agent runs and moves starting to running", () => {
    const got = transition(run("starting"), OBSERVATIONS.launched as Observation, NOW);
    expect(got?.set).toEqual({ ...where, worktree: "/wt/T", branch: "task/T", phase: "running" });
  });

  test("failures to start say so, with the cause", () => {
    expect(transition(run("starting"), { kind: "launch-failed", reason: "git failed" }, NOW)?.set.reason).toBe(
      "could not start: git failed",
    );
    const never = transition(run("starting"), { kind: "never-started", reason: "the dispatching process exited first" }, NOW);
    expect(never?.set).toMatchObject({ phase: "failed", reason: "could not start: the dispatching process exited first", endedAt: NOW });
  });

  test("a Stop records who ended it and when", () => {
    expect(transition(run("running"), { kind: "stop" }, NOW)?.set).toEqual({
      phase: "stopped",
      reason: "stopped by the user",
      endedAt: NOW,
    });
  });

  test("activity moves only while the run lives, and only when it changes", () => {
    expect(transition(run("running"), { kind: "activity", activity: "needs-approval" }, NOW)?.set).toEqual({ activity: "needs-approval" });
    expect(transition(run("running", { activity: "working" }), { kind: "activity", activity: "working" }, NOW)).toBeNull();
  });
});
