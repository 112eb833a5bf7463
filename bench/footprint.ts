/**
 * What live runs cost while nothing happens:
 * - per run, every process Dispatch keeps beside the agent (a headless run: its launcher and the
 *   launcher's timeout `sleep`, its whole process group but the agent; a tmux run: the pane's
 *   launcher and pipe-pane's `cat` into the log), RSS and PSS (RSS counts the shared libc and
 *   shell pages in full; PSS shares them out), against `sh -c` waiting on the same agent;
 * - the server, with all those runs live and UI clients on /events: CPU (utime + stime of it and
 *   of the children it reaped, from /proc/PID/stat) and RSS, sampled every second.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { type BenchWorld, type ServerChild, until } from "./bench-world.ts";
import { EventFeed } from "./event-feed.ts";
import { agentOf } from "./exits.ts";
import { type Figure, figure, spread } from "./stats.ts";

export type LiveRun = { mode: string; task: string; runId: string; headless: boolean };

/** Dispatches `count` runs, half interactive and half headless, each on its own task (`firstTask` on), `parallel` at a time. */
export async function startLiveRuns(
  world: BenchWorld,
  server: ServerChild,
  count: number,
  firstTask: number,
  parallel = 3,
): Promise<LiveRun[]> {
  const runs: LiveRun[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const headless = i % 2 === 1;
      const mode = headless ? "code-review" : "interactive";
      const task = `T-${firstTask + i}`;
      const { runId } = await server.dispatch(mode, task);
      runs.push({ mode, task, runId, headless });
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  for (const run of runs) await until(`${run.runId}'s agent`, () => agentOf(world, run.runId, run.headless), 60000, 20);
  return runs;
}

type Proc = { pid: number; ppid: number; pgrp: number; cmdline: string };

function processes(): Map<number, Proc> {
  const table = new Map<number, Proc>();
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
      table.set(pid, { pid, ppid: Number(fields[1]), pgrp: Number(fields[2]), cmdline });
    } catch {
      // Gone meanwhile.
    }
  }
  return table;
}

/** RSS (VmRSS) and PSS (smaps_rollup) of a process, in KiB. */
function memoryOf(pid: number): { rss: number; pss: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  return { rss: Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? 0), pss: Number(rollup.match(/^Pss:\s+(\d+)/m)?.[1] ?? 0) };
}

function descendants(table: Map<number, Proc>, root: number): number[] {
  const found = [root];
  for (let i = 0; i < found.length; i++) for (const p of table.values()) if (p.ppid === found[i]) found.push(p.pid);
  return found;
}

/** The processes a live run keeps beside its agent. */
function beyondAgent(world: BenchWorld, table: Map<number, Proc>, run: LiveRun): number[] {
  const record = world.pidRecord(run.runId);
  const agent = agentOf(world, run.runId, run.headless);
  if (!record || !agent) throw new Error(`${run.runId} is not live`);
  if (run.headless) return [...table.values()].filter((p) => p.pgrp === record.pid && p.pid !== agent).map((p) => p.pid);
  const log = world.logPath(run.runId);
  // pipe-pane's `cat` (exec'd by its shell: its argv does not name the log; its stdout is the log).
  const pipes = [...table.values()].filter((p) => writesTo(p.pid, log)).flatMap((p) => descendants(table, p.pid));
  return [...new Set([...descendants(table, record.pid), ...pipes])].filter((pid) => pid !== agent);
}

function writesTo(pid: number, file: string): boolean {
  try {
    return readlinkSync(`/proc/${pid}/fd/1`) === file;
  } catch {
    return false;
  }
}

/** The tmux server's RSS in KiB (its pid from tmux itself). */
export function tmuxServerRss(world: BenchWorld): number {
  const pid = Number(world.tmux("display-message", "-p", "#{pid}").out.trim());
  return Number.isInteger(pid) && pid > 0 ? memoryOf(pid).rss : Number.NaN;
}

export async function perRunMemory(world: BenchWorld, runs: LiveRun[], tmuxGrowthKiB: number, baselines = 20): Promise<Figure[]> {
  // The baseline: `sh -c` waiting on the same agent (`exit $?` keeps the shell from exec-ing it).
  const shells = Array.from({ length: baselines }, () =>
    Bun.spawn(["/bin/sh", "-c", '"$0"; exit $?', world.agent], {
      cwd: world.root,
      stdin: "ignore",
      stdout: "ignore",
      stderr: "ignore",
      detached: true,
    }),
  );
  try {
    await until("the baseline shells' agents", () => {
      const table = processes();
      return shells.every((s) => [...table.values()].some((p) => p.ppid === s.pid && p.cmdline.startsWith("sleep")));
    });
    const base = shells.map((s) => memoryOf(s.pid));
    const table = processes();
    const rows: Figure[] = [];
    for (const headless of [true, false]) {
      const mine = runs.filter((r) => r.headless === headless);
      const sums = mine.map((run) =>
        beyondAgent(world, table, run)
          .map(memoryOf)
          .reduce((a, m) => ({ rss: a.rss + m.rss, pss: a.pss + m.pss }), { rss: 0, pss: 0 }),
      );
      const kind = headless ? "headless (launcher + its timeout sleep)" : "tmux (launcher + pipe-pane's cat)";
      const cause = headless
        ? "two processes beside the agent, each about the baseline's one shell: the launcher (it records the exit code whether or not Dispatch runs) and its timeout's `sleep` (a POSIX shell has no alarm; the built-in headless modes time out after 30 min). One process would need the timeout's clock in the server, and a run started from the CLI with no server running would then outlive its timeout."
        : "two processes beside the agent, each about the baseline's one shell: the pane's launcher (it records the exit code whether or not Dispatch runs) and pipe-pane's `cat` (it writes the log whether or not Dispatch runs). One process would need tmux to record the exit instead (remain-on-exit keeps #{pane_dead_status}; a pane-died hook could write it): tried on tmux 3.3a here, a pane whose process is node (as Claude Code is) is marked dead at once but gets its status only when another child of the tmux server ends, seconds later or never, so the launcher, which waits on the agent itself, stays.";
      const mb = (xs: number[]) => spread(xs.map((k) => k / 1024));
      const extra = headless ? undefined : { tmuxServerMiBPerSession: tmuxGrowthKiB / 1024 / mine.length };
      for (const which of ["rss", "pss"] as const) {
        rows.push(
          figure({
            name: `${which.toUpperCase()} per live ${kind}, ${mine.length} runs`,
            unit: "MiB",
            ours: mb(sums.map((s) => s[which])),
            baseline: {
              name: `\`sh -c\` waiting on the same agent (${which.toUpperCase()} of the shell)`,
              measured: mb(base.map((b) => b[which])),
            },
            goal: [
              { on: "ratio", max: 2 },
              { on: "value", max: 2 },
            ],
            cause,
            ...(extra && which === "rss"
              ? { extra, note: "beyond the agent; the tmux server's own growth per session is counted apart (tmuxServerMiBPerSession)" }
              : {}),
          }),
        );
      }
    }
    return rows;
  } finally {
    for (const s of shells) {
      try {
        process.kill(-s.pid, "SIGKILL");
      } catch {}
    }
  }
}

const HZ = Number(Bun.spawnSync(["getconf", "CLK_TCK"]).stdout.toString().trim()) || 100;

/** CPU ticks of a process: its own (utime + stime) and with the children it reaped (+ cutime + cstime). */
function ticks(pid: number): { self: number; all: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat
    .slice(stat.lastIndexOf(")") + 2)
    .split(" ")
    .map(Number);
  // Fields 14–17 of /proc/PID/stat; this array starts at field 3.
  const [u = 0, s = 0, cu = 0, cs = 0] = f.slice(11, 15);
  return { self: u + s, all: u + s + cu + cs };
}

function rssMiB(pid: number): number {
  return memoryOf(pid).rss / 1024;
}

export async function idleServer(server: ServerChild, runs: number, clients: number, seconds: number): Promise<Figure[]> {
  // The bench's own /events client is one of them.
  const feeds = await Promise.all(Array.from({ length: clients - 1 }, () => EventFeed.open(server.wsUrl("/events"))));
  try {
    // A board that opens measures every task's work again (git, per worktree): let that pass,
    // until a whole second goes by at under 2 % of a core (or 20 s).
    const settleStart = performance.now();
    for (let last = ticks(server.pid).all; performance.now() - settleStart < 20000; ) {
      await Bun.sleep(1000);
      const now = ticks(server.pid).all;
      const busy = now - last;
      last = now;
      if ((busy / HZ) * 100 < 2) break;
    }
    const settled = (performance.now() - settleStart) / 1000;
    const cpu: number[] = [];
    const cpuSelf: number[] = [];
    const rss: number[] = [];
    const start = { t: performance.now(), ...ticks(server.pid) };
    let prev = start;
    for (let i = 0; i < seconds; i++) {
      await Bun.sleep(1000);
      const now = { t: performance.now(), ...ticks(server.pid) };
      const secs = (now.t - prev.t) / 1000;
      cpu.push(((now.all - prev.all) / HZ / secs) * 100);
      cpuSelf.push(((now.self - prev.self) / HZ / secs) * 100);
      rss.push(rssMiB(server.pid));
      prev = now;
    }
    const total = (prev.t - start.t) / 1000;
    const mean = ((prev.all - start.all) / HZ / total) * 100;
    const selfMean = ((prev.self - start.self) / HZ / total) * 100;
    const what = `${runs} live runs, ${clients} clients on /events, ${seconds} s`;
    return [
      figure({
        name: `idle server CPU, ${what} (per-second samples)`,
        unit: "%",
        ours: { ...spread(cpu), mean },
        goal: [{ on: "mean", max: 1 }],
        note: `settled ${settled.toFixed(0)} s first (a board's first look at every worktree); the server alone (no reaped children) ${selfMean.toFixed(2)} %`,
        extra: { serverOnlyMeanPercent: selfMean, medianServerOnlyPercent: spread(cpuSelf).median },
      }),
      figure({
        name: `idle server RSS, ${what}`,
        unit: "MiB",
        ours: spread(rss),
        goal: [{ on: "p99", max: 150 }],
      }),
    ];
  } finally {
    for (const f of feeds) f.close();
  }
}
